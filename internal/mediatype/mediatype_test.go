package mediatype

import "testing"

func TestFirstAccepted(t *testing.T) {
	for in, want := range map[string]string{
		"":                                    "",
		"application/json":                    "application/json",
		" Text/HTML ;q=0.9, application/json": "Text/HTML",
		"image/png,image/*":                   "image/png",
		"*/*":                                 "*/*",
	} {
		if got := FirstAccepted(in); got != want {
			t.Errorf("FirstAccepted(%q) = %q, want %q", in, got, want)
		}
	}
}
