package dataplane

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gantryproject/gantry/internal/authorizer"
	"github.com/gantryproject/gantry/internal/gatewayresponse"
	"github.com/gantryproject/gantry/internal/model"
)

// DefaultCognitoURL is where Cognito user pools live: a pool's issuer is
// {this, with {region}}/{poolId} and its keys are at
// {issuer}/.well-known/jwks.json.
const DefaultCognitoURL = "https://cognito-idp.{region}.amazonaws.com"

// maxJWKSBytes bounds a key set document.
const maxJWKSBytes = 1 << 20

// jwksRefetch is the least time between two fetches of one key set when a
// token names a key it does not hold (a rotated key).
const jwksRefetch = time.Minute

// jwksTTL is how long a fetched key set is used before it is fetched again.
const jwksTTL = time.Hour

// errBadToken is wrapped by every reason to refuse a Cognito token.
var errBadToken = errors.New("invalid Cognito token")

// issuerOf returns the issuer of a user pool under base (DefaultCognitoURL
// or an override such as http://127.0.0.1:9229 for a local provider).
func issuerOf(base, region, poolID string) string {
	return strings.TrimRight(strings.ReplaceAll(base, "{region}", region), "/") + "/" + poolID
}

// jwksCache holds the user pools' signing keys, by key set URL.
type jwksCache struct {
	client *http.Client
	mu     sync.Mutex
	sets   map[string]*jwks
}

type jwks struct {
	keys    map[string]*rsa.PublicKey // by kid
	fetched time.Time
}

// key returns the RSA key kid of the key set at url, fetching the set when
// it is not held, is stale, or lacks kid (at most once a minute).
func (c *jwksCache) key(ctx context.Context, url, kid string, now time.Time) (*rsa.PublicKey, error) {
	c.mu.Lock()
	set := c.sets[url]
	c.mu.Unlock()
	if set != nil && now.Sub(set.fetched) < jwksTTL {
		if k := set.keys[kid]; k != nil {
			return k, nil
		}
		if now.Sub(set.fetched) < jwksRefetch {
			return nil, fmt.Errorf("%w: unknown key %q", errBadToken, kid)
		}
	}
	fresh, err := c.fetch(ctx, url, now)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.sets[url] = fresh
	c.mu.Unlock()
	if k := fresh.keys[kid]; k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("%w: unknown key %q", errBadToken, kid)
}

// errJWKS is wrapped by failures to obtain a key set.
var errJWKS = errors.New("cannot fetch the user pool's keys")

func (c *jwksCache) fetch(ctx context.Context, url string, now time.Time) (*jwks, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errJWKS, err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errJWKS, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s answered %d", errJWKS, url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errJWKS, err)
	}
	var doc struct {
		Keys []struct {
			Kty string `json:"kty"`
			Kid string `json:"kid"`
			Use string `json:"use"`
			N   string `json:"n"`
			E   string `json:"e"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errJWKS, url, err)
	}
	set := &jwks{keys: map[string]*rsa.PublicKey{}, fetched: now}
	for _, k := range doc.Keys {
		if k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			continue
		}
		exp := 0
		for _, b := range e {
			exp = exp<<8 | int(b)
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}
		if pub.N.BitLen() < 2048 || exp < 3 {
			continue
		}
		set.keys[k.Kid] = pub
	}
	return set, nil
}

// verifyCognito checks a Cognito user pool token as API Gateway does: an
// RS256 JWT signed by a key of the pool's JWKS, issued by one of the
// authorizer's pools, not expired (exp) and already valid (nbf), with
// token_use id or access. Which token use the method accepts depends on its
// authorization scopes (checkScopes). A token "Bearer "-prefixed is
// accepted too (Gantry's leniency; AWS documents the bare token).
//
// Reference: https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
func (h *Handler) verifyCognito(ctx context.Context, a *authz, token string, stageVars map[string]string, now time.Time) (*authResult, *gatewayresponse.Error) {
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	claims, err := h.checkJWT(ctx, a, token, stageVars, now)
	if errors.Is(err, errJWKS) {
		// The pool's keys are out of reach: the authorizer failed, not
		// the caller (Gantry's choice of AUTHORIZER_FAILURE; reference
		// §3.2).
		return nil, gatewayresponse.NewError(gatewayresponse.AuthorizerFailure).WithNullMessage().WithCause(err)
	}
	if err != nil {
		return nil, unauthorized().WithCause(err)
	}
	res := &authResult{claims: map[string]string{}}
	for k, raw := range claims {
		if s, err := scalarString(raw); err == nil {
			res.claims[k] = s
		} else {
			res.claims[k] = compactJSON(raw)
		}
	}
	res.tokenUse = res.claims["token_use"]
	res.scopes = strings.Fields(res.claims["scope"])
	if exp, err := numericClaim(claims, "exp"); err == nil {
		res.expires = time.Unix(exp, 0)
	}
	return res, nil
}

func (h *Handler) checkJWT(ctx context.Context, a *authz, token string, stageVars map[string]string, now time.Time) (map[string]json.RawMessage, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: not a JWT", errBadToken)
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return nil, err
	}
	if header.Alg != "RS256" {
		return nil, fmt.Errorf("%w: alg %q", errBadToken, header.Alg)
	}
	var claims map[string]json.RawMessage
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, err
	}
	var iss string
	if raw, ok := claims["iss"]; !ok || json.Unmarshal(raw, &iss) != nil {
		return nil, fmt.Errorf("%w: no iss", errBadToken)
	}
	// A pool may be named by a stage variable, as in
	// arn:aws:cognito-idp:us-east-2:111122223333:userpool/${stageVariables.MyUserPool}
	// (AWS's developer guide).
	trusted := slices.ContainsFunc(a.pools, func(p authorizer.UserPool) bool {
		id, err := expandFunction(p.ID, stageVars)
		return err == nil && issuerOf(h.cognitoURL, p.Region, id) == iss
	})
	if !trusted {
		return nil, fmt.Errorf("%w: issuer %q is not a pool of the authorizer", errBadToken, iss)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("%w: signature encoding", errBadToken)
	}
	ctx, cancel := context.WithTimeout(ctx, h.authTimeout)
	defer cancel()
	key, err := h.jwks.key(ctx, iss+"/.well-known/jwks.json", header.Kid, now)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig); err != nil {
		return nil, fmt.Errorf("%w: bad signature", errBadToken)
	}
	exp, err := numericClaim(claims, "exp")
	if err != nil {
		return nil, err
	}
	if now.Unix() >= exp {
		return nil, fmt.Errorf("%w: expired", errBadToken)
	}
	if _, ok := claims["nbf"]; ok {
		nbf, err := numericClaim(claims, "nbf")
		if err != nil {
			return nil, err
		}
		if now.Unix() < nbf {
			return nil, fmt.Errorf("%w: not valid yet", errBadToken)
		}
	}
	var use string
	if raw, ok := claims["token_use"]; !ok || json.Unmarshal(raw, &use) != nil || (use != "id" && use != "access") {
		return nil, fmt.Errorf("%w: token_use must be id or access", errBadToken)
	}
	return claims, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return fmt.Errorf("%w: segment encoding", errBadToken)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%w: segment JSON", errBadToken)
	}
	return nil
}

func numericClaim(claims map[string]json.RawMessage, name string) (int64, error) {
	raw, ok := claims[name]
	if !ok {
		return 0, fmt.Errorf("%w: no %s", errBadToken, name)
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, fmt.Errorf("%w: %s is not a number", errBadToken, name)
	}
	if i, err := n.Int64(); err == nil {
		return i, nil
	}
	f, err := n.Float64()
	if err != nil {
		return 0, fmt.Errorf("%w: %s is not a number", errBadToken, name)
	}
	return int64(f), nil
}

// checkScopes applies a Cognito method's authorization scopes to a verified
// token: a method with scopes needs an access token granting one of them;
// a method without needs an ID token (AWS's rule for REST APIs). A refused
// token is UNAUTHORIZED.
//
// Reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html
func checkScopes(m *method, res *authResult) *gatewayresponse.Error {
	if res.claims == nil || m.authorizer == nil || m.authorizer.typ != model.AuthorizerCognito {
		return nil
	}
	if len(m.scopes) == 0 {
		if res.tokenUse != "id" {
			return unauthorized()
		}
		return nil
	}
	if res.tokenUse != "access" {
		return unauthorized()
	}
	for _, s := range m.scopes {
		if slices.Contains(res.scopes, s) {
			return nil
		}
	}
	return unauthorized()
}
