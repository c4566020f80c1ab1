package sigv4

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gantryproject/gantry/internal/model"
)

// Identity is a set of AWS credentials Gantry accepts and the caller they
// stand for.
type Identity struct {
	// AccessKeyID identifies the credentials, e.g. AKIAIOSFODNN7EXAMPLE.
	AccessKeyID string `json:"accessKeyId"`
	// SecretAccessKey signs requests. It is never logged.
	SecretAccessKey string `json:"secretAccessKey"`
	// SessionToken, when set, marks temporary credentials: requests must
	// carry it in X-Amz-Security-Token.
	SessionToken string `json:"sessionToken,omitempty"`
	// Expiration, when set, is when temporary credentials expire; later
	// requests get ExpiredTokenException.
	Expiration time.Time `json:"expiration,omitzero"`
	// AccountID is the caller's account; default: the access key id when
	// it is a 12-digit number, else 000000000000.
	AccountID string `json:"accountId,omitempty"`
	// UserARN is the caller's ARN; default: the account's root,
	// arn:aws:iam::<account>:root.
	UserARN string `json:"userArn,omitempty"`
	// UserID is the caller's principal id ($context.identity.caller and
	// .user), e.g. AIDAJQABLZS4A3QDU576Q for an IAM user or
	// AROAEXAMPLE:session for an assumed role; default: the account id for
	// the root, else the access key id.
	UserID string `json:"userId,omitempty"`
}

// String describes the identity without its secret or token.
func (id Identity) String() string {
	return "Identity{" + id.AccessKeyID + " " + id.UserARN + "}"
}

// GoString is String, so that %#v does not print secrets either.
func (id Identity) GoString() string { return id.String() }

// DefaultAccessKeyID and DefaultSecretAccessKey are the credentials Gantry
// accepts when none are configured: LocalStack's convention, test/test.
const (
	DefaultAccessKeyID     = "test"
	DefaultSecretAccessKey = "test"
)

// Credentials is an immutable credential store: access key id → identity.
// The zero value and nil hold nothing.
type Credentials struct {
	byKey map[string]Identity
}

// NewCredentials returns a store of ids, completing their defaults
// (account, ARN, user id). It fails on an entry without an access key id
// or secret, or on an access key id given twice.
func NewCredentials(ids ...Identity) (*Credentials, error) {
	c := &Credentials{byKey: make(map[string]Identity, len(ids))}
	for i, id := range ids {
		if id.AccessKeyID == "" || id.SecretAccessKey == "" {
			return nil, fmt.Errorf("credentials: entry %d: accessKeyId and secretAccessKey are required", i+1)
		}
		if _, dup := c.byKey[id.AccessKeyID]; dup {
			return nil, fmt.Errorf("credentials: access key id %s is given twice", id.AccessKeyID)
		}
		c.byKey[id.AccessKeyID] = complete(id)
	}
	return c, nil
}

func complete(id Identity) Identity {
	if id.AccountID == "" {
		id.AccountID = model.DefaultAccount
		if len(id.AccessKeyID) == 12 && strings.Trim(id.AccessKeyID, "0123456789") == "" {
			id.AccountID = id.AccessKeyID
		}
	}
	if id.UserARN == "" {
		id.UserARN = "arn:aws:iam::" + id.AccountID + ":root"
	}
	if id.UserID == "" {
		id.UserID = id.AccessKeyID
		if strings.HasSuffix(id.UserARN, ":root") {
			id.UserID = id.AccountID
		}
	}
	return id
}

// Lookup returns the identity of an access key id.
func (c *Credentials) Lookup(accessKeyID string) (Identity, bool) {
	if c == nil {
		return Identity{}, false
	}
	id, ok := c.byKey[accessKeyID]
	return id, ok
}

// Len is the number of credentials in the store.
func (c *Credentials) Len() int {
	if c == nil {
		return 0
	}
	return len(c.byKey)
}

// credentialsFile is the JSON form of a credentials file.
type credentialsFile struct {
	Credentials []Identity `json:"credentials"`
}

// ParseCredentialsFile reads a credentials file's JSON:
//
//	{"credentials": [
//	  {"accessKeyId": "AKIAIOSFODNN7EXAMPLE", "secretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
//	   "accountId": "123456789012", "userArn": "arn:aws:iam::123456789012:user/alice", "userId": "AIDAEXAMPLE"},
//	  {"accessKeyId": "ASIAEXAMPLE", "secretAccessKey": "...", "sessionToken": "...",
//	   "expiration": "2026-12-31T23:59:59Z"}
//	]}
//
// Unknown fields are errors, so that a misspelt field is not silently
// ignored.
func ParseCredentialsFile(data []byte) ([]Identity, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var f credentialsFile
	if err := dec.Decode(&f); err != nil {
		// encoding/json's messages name a field or one character, never
		// a value, so no secret leaks through them.
		return nil, fmt.Errorf("credentials file: %w", err)
	}
	return f.Credentials, nil
}

// LoadCredentials builds the credential store Gantry verifies against: the
// entries of the JSON credentials file at path (if path is not empty), and
// the pair in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (with
// AWS_SESSION_TOKEN) from getenv. Without a file, the default test/test is
// accepted too, so that LocalStack-style clients keep working next to the
// credentials of the environment; a file lists everything accepted (plus
// the environment's pair).
func LoadCredentials(path string, getenv func(string) string) (*Credentials, error) {
	var ids []Identity
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("credentials file: %w", err)
		}
		if ids, err = ParseCredentialsFile(data); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if getenv != nil {
		if key, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"); key != "" && secret != "" {
			if !slices.ContainsFunc(ids, func(id Identity) bool { return id.AccessKeyID == key }) {
				ids = append(ids, Identity{AccessKeyID: key, SecretAccessKey: secret, SessionToken: getenv("AWS_SESSION_TOKEN")})
			}
		}
	}
	if path == "" && !slices.ContainsFunc(ids, func(id Identity) bool { return id.AccessKeyID == DefaultAccessKeyID }) {
		ids = append(ids, Identity{AccessKeyID: DefaultAccessKeyID, SecretAccessKey: DefaultSecretAccessKey})
	}
	return NewCredentials(ids...)
}
