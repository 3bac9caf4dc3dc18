package traceapi

import "fmt"

// DuplicatePolicy decides what happens to a record whose trace_id is already stored. The
// zero value is DuplicateReplace.
type DuplicatePolicy int

const (
	// DuplicateReplace replaces the stored record in place, keeping its arrival position.
	DuplicateReplace DuplicatePolicy = iota
	// DuplicateAppend stores the new record as well, as a further record.
	DuplicateAppend
	// DuplicateReject refuses the new record with 409 Conflict.
	DuplicateReject
)

var policyNames = [...]string{DuplicateReplace: "replace", DuplicateAppend: "append", DuplicateReject: "reject"}

// String returns the policy's name: "replace", "append" or "reject".
func (p DuplicatePolicy) String() string {
	if p.valid() {
		return policyNames[p]
	}
	return fmt.Sprintf("DuplicatePolicy(%d)", int(p))
}

func (p DuplicatePolicy) valid() bool { return p >= 0 && int(p) < len(policyNames) }

// ParseDuplicatePolicy parses "replace", "append" or "reject". The empty string is the
// default, DuplicateReplace.
func ParseDuplicatePolicy(s string) (DuplicatePolicy, error) {
	if s == "" {
		return DuplicateReplace, nil
	}
	for p, name := range policyNames {
		if s == name {
			return DuplicatePolicy(p), nil
		}
	}
	return 0, fmt.Errorf("unknown duplicate policy %q (want replace, append or reject)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (p DuplicatePolicy) MarshalText() ([]byte, error) {
	if !p.valid() {
		return nil, fmt.Errorf("invalid duplicate policy %d", int(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler, so a policy can be a flag.TextVar.
func (p *DuplicatePolicy) UnmarshalText(text []byte) error {
	v, err := ParseDuplicatePolicy(string(text))
	if err != nil {
		return err
	}
	*p = v
	return nil
}
