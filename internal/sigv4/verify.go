package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm Gantry verifies.
const Algorithm = "AWS4-HMAC-SHA256"

// TimeFormat is the form of X-Amz-Date: ISO 8601 basic, UTC.
const TimeFormat = "20060102T150405Z"

// MaxSkew is how far X-Amz-Date may be from the server's clock, either way,
// as on AWS.
const MaxSkew = 5 * time.Minute

// MaxExpires is the largest X-Amz-Expires of a presigned request: one week.
const MaxExpires = 7 * 24 * 60 * 60

// UnsignedPayload is the X-Amz-Content-Sha256 value that leaves the body out
// of the signature.
const UnsignedPayload = "UNSIGNED-PAYLOAD"

// emptySHA256 is the hex SHA-256 of no bytes.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Kind classifies why a request failed verification. Each kind is one AWS
// error code (see [Kind.Code]).
type Kind int

// The ways verification fails.
const (
	// Missing: the request carries no signature at all (no Authorization
	// header, no X-Amz-Algorithm/X-Amz-Credential/X-Amz-Signature query).
	Missing Kind = iota + 1
	// Incomplete: a signature is there but malformed (a part missing, an
	// unparseable credential or date).
	Incomplete
	// InvalidSignature: the signature does not match, its date is outside
	// the allowed skew, the presigned URL expired, or the credential scope
	// names another service or region.
	InvalidSignature
	// UnknownKey: the access key id (or the session token given with it) is
	// not in the credential store.
	UnknownKey
	// ExpiredToken: the temporary credentials' session has expired.
	ExpiredToken
)

// Code is the AWS error code of k, sent as x-amzn-ErrorType by the control
// plane: MissingAuthenticationTokenException, IncompleteSignatureException,
// InvalidSignatureException, UnrecognizedClientException or
// ExpiredTokenException.
func (k Kind) Code() string {
	switch k {
	case Missing:
		return "MissingAuthenticationTokenException"
	case Incomplete:
		return "IncompleteSignatureException"
	case InvalidSignature:
		return "InvalidSignatureException"
	case UnknownKey:
		return "UnrecognizedClientException"
	case ExpiredToken:
		return "ExpiredTokenException"
	}
	return "InvalidSignatureException"
}

// Error is a failed verification: its kind and AWS's message for it. The
// message never contains a secret; it may contain the canonical request and
// string to sign, as AWS's does.
type Error struct {
	Kind    Kind
	Message string
}

func (e *Error) Error() string { return "sigv4: " + e.Kind.Code() + ": " + e.Message }

// AWS's messages (recorded from AWS services; see the data plane's use for
// the execute-api evidence).
const (
	msgMissing      = "Missing Authentication Token"
	msgMismatch     = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgUnknownKey   = "The security token included in the request is invalid."
	msgExpiredToken = "The security token included in the request is expired"
)

func fail(k Kind, msg string) *Error { return &Error{Kind: k, Message: msg} }

// Keyring finds the credentials of an access key id. *Credentials
// implements it.
type Keyring interface {
	Lookup(accessKeyID string) (Identity, bool)
}

// Verifier checks SigV4 signatures on the server side, in the Authorization
// header form and the presigned query form, as AWS services do.
type Verifier struct {
	// Keys holds the known credentials.
	Keys Keyring
	// Service is the service the credential scope must name, e.g.
	// "execute-api"; "" accepts any.
	Service string
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Signed describes a request whose signature verified.
type Signed struct {
	// Credential is the request's credential scope.
	Credential Credential
	// Identity is the caller, from the credential store.
	Identity Identity
	// Presigned is true for the query-string form.
	Presigned bool
}

// signature is what a request carries: parsed from the Authorization header
// or the presigned query.
type signature struct {
	cred          Credential
	scope         string // the raw credential value, AKID/date/region/service/aws4_request
	signedHeaders []string
	signature     string
	date          string // X-Amz-Date as sent (ISO 8601 basic)
	token         string
	presigned     bool
	expires       int64 // seconds; presigned only
}

// Verify checks r's signature. body is the request body as received (nil
// for none); r.Body is not read. region, when not empty, is the region the
// credential scope must name (the region of the API being called).
//
// A nil error means the signature matches the secret of its access key, the
// date is within [MaxSkew] of the clock (and a presigned URL has not
// expired), and the session token, if the credentials have one, is given
// and current. Otherwise the error is an *[Error] saying why, with AWS's
// message.
func (v *Verifier) Verify(r *http.Request, body []byte, region string) (*Signed, error) {
	sig, err := parse(r)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	if err := v.checkScope(sig, region); err != nil {
		return nil, err
	}
	signedAt, err := time.Parse(TimeFormat, sig.date)
	if err != nil {
		return nil, fail(Incomplete, "Date must be in ISO-8601 'basic format'. Got '"+sig.date+"'. See http://en.wikipedia.org/wiki/ISO_8601")
	}
	if sig.cred.Date != sig.date[:8] {
		return nil, fail(InvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+
			sig.cred.Date+"' != '"+sig.date[:8]+"', from '"+sig.date+"'.")
	}
	if err := checkTime(sig, signedAt, now().UTC()); err != nil {
		return nil, err
	}
	id, ok := v.Keys.Lookup(sig.cred.AccessKeyID)
	if !ok {
		return nil, fail(UnknownKey, msgUnknownKey)
	}
	if id.SessionToken != "" || sig.token != "" {
		// Temporary credentials are valid only with their own token; a
		// token sent with long-term keys is as unknown as a wrong one.
		if !hmac.Equal([]byte(id.SessionToken), []byte(sig.token)) {
			return nil, fail(UnknownKey, msgUnknownKey)
		}
	}
	if !id.Expiration.IsZero() && !now().Before(id.Expiration) {
		return nil, fail(ExpiredToken, msgExpiredToken)
	}
	if err := verifySignature(r, body, sig, id.SecretAccessKey); err != nil {
		return nil, err
	}
	return &Signed{Credential: sig.cred, Identity: id, Presigned: sig.presigned}, nil
}

// checkScope checks the credential scope's service and region (the
// terminator is checked while parsing), with the texts AWS services answer
// such scopes with.
func (v *Verifier) checkScope(sig *signature, region string) error {
	if v.Service != "" && sig.cred.Service != v.Service {
		return fail(InvalidSignature, "Credential should be scoped to correct service: '"+v.Service+"'. ")
	}
	if region != "" && sig.cred.Region != region {
		return fail(InvalidSignature, "Credential should be scoped to a valid region, not '"+sig.cred.Region+"'. ")
	}
	return nil
}

// checkTime applies the ±5 minute skew to the signing time and, for a
// presigned request, its expiry, with AWS's messages:
//
//	Signature expired: 20201027T123008Z is now earlier than 20201027T125507Z (20201027T130007Z - 5 min.)
//	Signature not yet current: 20201027T140008Z is still later than 20201027T130507Z (20201027T130007Z + 5 min.)
func checkTime(sig *signature, signedAt, now time.Time) error {
	f := func(t time.Time) string { return t.Format(TimeFormat) }
	if signedAt.After(now.Add(MaxSkew)) {
		return fail(InvalidSignature, "Signature not yet current: "+sig.date+" is still later than "+
			f(now.Add(MaxSkew))+" ("+f(now)+" + 5 min.)")
	}
	if sig.presigned {
		// A presigned URL is good from its date for X-Amz-Expires
		// seconds. AWS's text for an expired presigned URL on execute-api
		// is not recorded; this follows the header form's.
		if end := signedAt.Add(time.Duration(sig.expires) * time.Second); now.After(end) {
			return fail(InvalidSignature, "Signature expired: "+sig.date+" is now earlier than "+
				f(now.Add(-time.Duration(sig.expires)*time.Second))+" ("+f(now)+" - "+strconv.FormatInt(sig.expires, 10)+" sec.)")
		}
		return nil
	}
	if signedAt.Before(now.Add(-MaxSkew)) {
		return fail(InvalidSignature, "Signature expired: "+sig.date+" is now earlier than "+
			f(now.Add(-MaxSkew))+" ("+f(now)+" - 5 min.)")
	}
	return nil
}

// parse reads the signature of r from the Authorization header or, when
// there is none, the presigned query.
func parse(r *http.Request) (*signature, error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		return parseHeader(r, auth)
	}
	q := r.URL.Query()
	if q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Credential") || q.Has("X-Amz-Signature") {
		return parseQuery(q)
	}
	return nil, fail(Missing, msgMissing)
}

func parseHeader(r *http.Request, auth string) (*signature, error) {
	if msg, bad := IncompleteSignature(r.Header); bad {
		return nil, fail(Incomplete, msg)
	}
	alg, rest, _ := strings.Cut(strings.TrimSpace(auth), " ")
	if alg != Algorithm {
		// AWS's wording for another algorithm (SigV4a, a typo) is not
		// recorded; this names the problem as its other messages do.
		return nil, fail(Incomplete, "Unsupported AWS 'algorithm': '"+alg+"'. Authorization="+auth)
	}
	sig := &signature{}
	for _, pair := range strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		k, val, _ := strings.Cut(pair, "=")
		switch k {
		case "Credential":
			sig.scope = val
		case "SignedHeaders":
			sig.signedHeaders = strings.Split(val, ";")
		case "Signature":
			sig.signature = val
		}
	}
	sig.date = r.Header.Get("X-Amz-Date")
	if sig.date == "" {
		// The Date header stands in for X-Amz-Date; its time is signed in
		// the ISO 8601 basic form.
		d, err := http.ParseTime(r.Header.Get("Date"))
		if err != nil {
			return nil, fail(Incomplete, "Date must be in ISO-8601 'basic format'. Got '"+r.Header.Get("Date")+"'. See http://en.wikipedia.org/wiki/ISO_8601")
		}
		sig.date = d.UTC().Format(TimeFormat)
	}
	sig.token = r.Header.Get("X-Amz-Security-Token")
	return sig, sig.parseScope()
}

func parseQuery(q url.Values) (*signature, error) {
	var b strings.Builder
	for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if q.Get(p) == "" {
			b.WriteString("AWS query-string parameters must include '" + p + "'. ")
		}
	}
	if b.Len() > 0 {
		// AWS's text for an incomplete presigned query on execute-api is
		// not recorded; this is the wording of AWS's query-auth services.
		b.WriteString("Re-examine the query-string parameters.")
		return nil, fail(Incomplete, b.String())
	}
	if alg := q.Get("X-Amz-Algorithm"); alg != Algorithm {
		return nil, fail(Incomplete, "Unsupported AWS 'algorithm': '"+alg+"'.")
	}
	sig := &signature{
		scope:         q.Get("X-Amz-Credential"),
		signedHeaders: strings.Split(q.Get("X-Amz-SignedHeaders"), ";"),
		signature:     q.Get("X-Amz-Signature"),
		date:          q.Get("X-Amz-Date"),
		token:         q.Get("X-Amz-Security-Token"),
		presigned:     true,
	}
	exp := q.Get("X-Amz-Expires")
	if exp == "" {
		// Presigners always send it; without one the URL is held to
		// the header form's 5 minutes.
		sig.expires = int64(MaxSkew / time.Second)
	} else {
		n, err := strconv.ParseInt(exp, 10, 64)
		if err != nil || n < 0 {
			return nil, fail(Incomplete, "X-Amz-Expires should be a number")
		}
		if n > MaxExpires {
			return nil, fail(Incomplete, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		sig.expires = n
	}
	return sig, sig.parseScope()
}

// parseScope splits the credential AKID/date/region/service/aws4_request.
func (sig *signature) parseScope() error {
	f := strings.Split(sig.scope, "/")
	if len(f) != 5 {
		return fail(Incomplete, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '"+sig.scope+"'")
	}
	if f[4] != "aws4_request" {
		return fail(InvalidSignature, "Credential should be scoped with a valid terminator: 'aws4_request', not '"+f[4]+"'. ")
	}
	if len(sig.date) < 8 {
		return fail(Incomplete, "Date must be in ISO-8601 'basic format'. Got '"+sig.date+"'. See http://en.wikipedia.org/wiki/ISO_8601")
	}
	sig.cred = Credential{AccessKeyID: f[0], Date: f[1], Region: f[2], Service: f[3]}
	return nil
}

// verifySignature recomputes the signature with secret and compares it in
// constant time. Equivalent spellings of the path and query that signers
// produce (normalized or not; '+' read as a space or kept) are each tried;
// the mismatch message shows the canonical request AWS would build.
func verifySignature(r *http.Request, body []byte, sig *signature, secret string) error {
	headers, err := canonicalHeaders(r, sig.signedHeaders, body)
	if err != nil {
		return err
	}
	payload, err := payloadHash(r, body)
	if err != nil {
		return err
	}
	key := signingKey(secret, sig.cred)
	want, err := hex.DecodeString(sig.signature)
	if err != nil {
		want = nil // never equal; the mismatch message follows
	}
	signedHeaders := strings.Join(sig.signedHeaders, ";")
	var first, firstSTS string
	for _, path := range canonicalURIs(r) {
		for _, query := range canonicalQueries(r.URL.RawQuery) {
			for _, hdrs := range headers {
				creq := r.Method + "\n" + path + "\n" + query + "\n" + hdrs + "\n" + signedHeaders + "\n" + payload
				sts := stringToSign(sig, creq)
				if hmac.Equal(hmacSHA256(key, sts), want) {
					return nil
				}
				if first == "" {
					first, firstSTS = creq, sts
				}
			}
		}
	}
	// AWS appends what it computed, as recorded on execute-api (e.g.
	// github.com/mhart/aws4/issues/33, aws/aws-sdk-js/issues/2372).
	return fail(InvalidSignature, msgMismatch+"\n\nThe Canonical String for this request should have been\n'"+first+
		"'\n\nThe String-to-Sign should have been\n'"+firstSTS+"'\n")
}

func stringToSign(sig *signature, canonicalRequest string) string {
	h := sha256.Sum256([]byte(canonicalRequest))
	return Algorithm + "\n" + sig.date + "\n" + sig.cred.Date + "/" + sig.cred.Region + "/" + sig.cred.Service + "/aws4_request\n" + hex.EncodeToString(h[:])
}

func signingKey(secret string, c Credential) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), c.Date)
	k = hmacSHA256(k, c.Region)
	k = hmacSHA256(k, c.Service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// payloadHash is the last line of the canonical request: the hex SHA-256
// of the body. Signers that send X-Amz-Content-Sha256 sign its value instead
// (botocore takes the header as is): UNSIGNED-PAYLOAD leaves the body out of
// the signature, and a hash there must be the body's.
func payloadHash(r *http.Request, body []byte) (string, error) {
	sum := sha256.Sum256(body)
	actual := hex.EncodeToString(sum[:])
	switch h := r.Header.Get("X-Amz-Content-Sha256"); {
	case h == "":
		return actual, nil
	case h == UnsignedPayload, h == actual:
		return h, nil
	}
	// Outside S3, AWS's text for a body that does not match its declared
	// hash is not recorded; this is S3's.
	return "", fail(InvalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed.")
}

// canonicalHeaders builds the canonical header block (each "name:value\n")
// for the signed header names, which must be sorted, lower case and include
// host. Values are trimmed, runs of spaces collapsed, repeated headers
// joined with ','. The Go SDK collapses only spaces and botocore every white
// space (tabs too): when a value has a tab, both blocks are returned.
func canonicalHeaders(r *http.Request, names []string, body []byte) ([]string, error) {
	if !slices.IsSorted(names) || !slices.Contains(names, "host") {
		// AWS rejects such lists before comparing signatures; the text is
		// not recorded for execute-api.
		return nil, fail(InvalidSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	var spaces, all strings.Builder
	tabs := false
	for _, n := range names {
		if n == "" || n != strings.ToLower(n) {
			return nil, fail(Incomplete, "Invalid SignedHeaders: '"+strings.Join(names, ";")+"'")
		}
		var values []string
		switch n {
		case "host":
			values = []string{r.Host}
		case "content-length":
			values = r.Header.Values("Content-Length")
			if len(values) == 0 {
				n := r.ContentLength
				if n < 0 {
					n = int64(len(body))
				}
				values = []string{strconv.FormatInt(n, 10)}
			}
		case "transfer-encoding":
			values = r.TransferEncoding
		default:
			values = r.Header.Values(n)
		}
		for _, b := range []*strings.Builder{&spaces, &all} {
			b.WriteString(n)
			b.WriteByte(':')
		}
		for i, v := range values {
			if i > 0 {
				spaces.WriteByte(',')
				all.WriteByte(',')
			}
			spaces.WriteString(collapseSpaces(v))
			all.WriteString(strings.Join(strings.Fields(v), " "))
			tabs = tabs || strings.ContainsAny(v, "\t\v\f\r\n")
		}
		spaces.WriteByte('\n')
		all.WriteByte('\n')
	}
	if tabs && spaces.String() != all.String() {
		return []string{spaces.String(), all.String()}, nil
	}
	return []string{spaces.String()}, nil
}

// collapseSpaces turns each run of spaces inside v into one and trims white
// space (tabs too) at both ends, as the Go SDK does.
func collapseSpaces(v string) string {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "  ") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// canonicalURIs returns the canonical URI of r: its escaped path URI-encoded
// again (non-S3 services double-encode), with dot segments and empty
// segments removed as AWS normalizes paths; then, when different, the same
// without normalization, which is what the Go SDK signs.
func canonicalURIs(r *http.Request) []string {
	raw := r.URL.EscapedPath()
	if raw == "" {
		raw = "/"
	}
	norm := uriEncode(normalizePath(raw), false)
	plain := uriEncode(raw, false)
	if plain == norm {
		return []string{norm}
	}
	return []string{norm, plain}
}

// normalizePath removes "." and ".." segments (RFC 3986 §5.2.4) and empty
// segments, keeping a leading and a trailing slash.
func normalizePath(p string) string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	res := "/" + strings.Join(out, "/")
	if strings.HasSuffix(p, "/") && len(out) > 0 {
		res += "/"
	}
	return res
}

// canonicalQueries returns the canonical query string: each name and value
// decoded, then URI-encoded (spaces as %20), pairs sorted by name then
// value, empty values kept ("x="), X-Amz-Signature left out. When the raw
// query has a '+', the variant that keeps it (as botocore signs a URL's
// query verbatim) follows.
func canonicalQueries(raw string) []string {
	if raw == "" {
		return []string{""}
	}
	type kv struct{ k, v string }
	var dec, verbatim []kv
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			dk, dv = k, v
		}
		if dk == "X-Amz-Signature" {
			continue
		}
		dec = append(dec, kv{uriEncode(dk, true), uriEncode(dv, true)})
		verbatim = append(verbatim, kv{k, v})
	}
	join := func(pairs []kv) string {
		slices.SortFunc(pairs, func(a, b kv) int {
			if c := strings.Compare(a.k, b.k); c != 0 {
				return c
			}
			return strings.Compare(a.v, b.v)
		})
		var b strings.Builder
		for i, p := range pairs {
			if i > 0 {
				b.WriteByte('&')
			}
			b.WriteString(p.k + "=" + p.v)
		}
		return b.String()
	}
	out := []string{join(dec)}
	if strings.Contains(raw, "+") {
		if alt := join(verbatim); alt != out[0] {
			out = append(out, alt)
		}
	}
	return out
}

// uriEncode is SigV4's UriEncode: every byte but A-Z a-z 0-9 - _ . ~ as
// %XY (upper-case hex); '/' is kept unless encodeSlash (paths keep it, query
// components do not).
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' && !encodeSlash {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
