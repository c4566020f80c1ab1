// Command backend is the load test's back end: a minimal net/http server on
// loopback that answers every request with the same 33-byte JSON body, so
// that what the benchmark measures is the proxy in front of it, not the back
// end's own work.
//
// Usage:
//
//	backend -listen 127.0.0.1:PORT
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"strconv"
)

// body is what every request gets: 33 bytes, like the data plane's
// BenchmarkProxy back end.
var body = []byte(`{"pet":"ok","id":42,"name":"Rex"}`)

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "address to listen on (keep it on loopback)")
	flag.Parse()
	length := strconv.Itoa(len(body))
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		// Setting the header map directly skips content sniffing and
		// the chunked encoding check.
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{length}
		w.Write(body)
	})
	if err := http.ListenAndServe(*listen, handler); err != nil {
		fmt.Fprintln(os.Stderr, "backend:", err)
		os.Exit(1)
	}
}
