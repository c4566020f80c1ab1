package controlplane_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// BenchmarkGetGatewayResponses measures GetGatewayResponses (21 items, two of
// them customized) through the full HTTP stack: a loopback connection, the
// router, the store and JSON encoding. Target: under 200 µs per call.
func BenchmarkGetGatewayResponses(b *testing.B) {
	c, srv := setup(b)
	api := createAPI(b, c, "bench")
	for _, typ := range []string{"DEFAULT_4XX", "UNAUTHORIZED"} {
		if _, err := c.PutGatewayResponse(ctx(), &apigateway.PutGatewayResponseInput{RestApiId: aws.String(api), ResponseType: types.GatewayResponseType(typ),
			StatusCode: aws.String("418"), ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}}); err != nil {
			b.Fatal(typ, err)
		}
	}
	url := srv.URL + "/restapis/" + api + "/gatewayresponses"
	client := srv.Client()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Accept", "application/json")
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err, resp.StatusCode)
		}
		drain(resp)
	}
}

// BenchmarkPutGatewayResponse measures a durable PutGatewayResponse through
// the full HTTP stack (in-memory store: the figure excludes fsync).
func BenchmarkPutGatewayResponse(b *testing.B) {
	c, srv := setup(b)
	api := createAPI(b, c, "bench")
	url := srv.URL + "/restapis/" + api + "/gatewayresponses/DEFAULT_5XX"
	body := `{"statusCode":"599","responseParameters":{"gatewayresponse.header.Access-Control-Allow-Origin":"'*'"},"responseTemplates":{"application/json":"{\"m\":$context.error.messageString}"}}`
	client := srv.Client()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest("PUT", url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != 201 {
			b.Fatal(err, resp.StatusCode)
		}
		drain(resp)
	}
}

// BenchmarkGetGatewayResponsesSDK is the same read as a user's program does
// it, through aws-sdk-go-v2 (SigV4 signing and response parsing included).
func BenchmarkGetGatewayResponsesSDK(b *testing.B) {
	c, _ := setup(b)
	api := createAPI(b, c, "bench")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.GetGatewayResponses(ctx(), &apigateway.GetGatewayResponsesInput{RestApiId: aws.String(api)}); err != nil {
			b.Fatal(err)
		}
	}
}

func drain(resp *http.Response) {
	buf := make([]byte, 4096)
	for {
		if _, err := resp.Body.Read(buf); err != nil {
			break
		}
	}
	resp.Body.Close()
}
