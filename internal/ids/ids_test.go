package ids

import (
	"regexp"
	"testing"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestAppendUUID(t *testing.T) {
	var u [16]byte
	for i := range u {
		u[i] = 0xff
	}
	if got := string(AppendUUID([]byte("id="), u)); got != "id=ffffffff-ffff-4fff-bfff-ffffffffffff" {
		t.Errorf("AppendUUID(all ones) = %q", got)
	}
	if got := string(AppendUUID(nil, [16]byte{})); got != "00000000-0000-4000-8000-000000000000" {
		t.Errorf("AppendUUID(zeros) = %q", got)
	}
	seen := map[string]bool{}
	for range 100 {
		id := RequestID()
		if !uuidV4.MatchString(id) || seen[id] {
			t.Fatalf("RequestID() = %q: not a fresh version 4 UUID", id)
		}
		seen[id] = true
	}
}
