package uuid

import "testing"

// TestV5KnownVector checks V5 against the value published with Python's uuid module:
// uuid5(NAMESPACE_DNS, "python.org").
func TestV5KnownVector(t *testing.T) {
	if got := V5(dns, []byte("python.org")).String(); got != "886313e1-3b8a-5372-9b90-0c9aee199e5d" {
		t.Fatalf("V5 = %s", got)
	}
}

func TestParseAndV4(t *testing.T) {
	u := V4()
	back, ok := Parse(u.String())
	if !ok || back != u || u[6]>>4 != 4 {
		t.Fatalf("%s → %s %v", u, back, ok)
	}
	if v, ok := Parse("886313E1-3B8A-5372-9B90-0C9AEE199E5D"); !ok || v.String() != "886313e1-3b8a-5372-9b90-0c9aee199e5d" {
		t.Errorf("upper case: %v %s", ok, v)
	}
	for _, bad := range []string{"", "886313e1-3b8a-5372-9b90-0c9aee199e5", "886313e13b8a-5372-9b90-0c9aee199e5dx", "zz6313e1-3b8a-5372-9b90-0c9aee199e5d"} {
		if _, ok := Parse(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
