// Package ids makes identifiers in the forms AWS uses.
package ids

import (
	"crypto/rand"
	"encoding/hex"
)

const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// New returns a random identifier of n lowercase letters and digits, the form
// of REST API and resource ids (10 characters, e.g. "a1b2c3d4e5").
func New(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		// 256 % 36 != 0 leaves a slight bias, irrelevant for identifiers.
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// RequestID returns a random UUID (version 4), the form of x-amzn-RequestId.
func RequestID() string {
	var s [36]byte
	return string(AppendRequestID(s[:0]))
}

// AppendRequestID appends a random UUID (version 4), as RequestID returns
// it, to dst.
func AppendRequestID(dst []byte) []byte {
	var u [16]byte
	rand.Read(u[:])
	return AppendUUID(dst, u)
}

// AppendUUID appends the version 4 UUID made of the random bytes u (its
// version and variant bits set), as RequestID returns it, to dst.
func AppendUUID(dst []byte, u [16]byte) []byte {
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return append(dst, s[:]...)
}
