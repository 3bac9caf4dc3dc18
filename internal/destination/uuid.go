package destination

import "github.com/tracebridge/tracebridge/internal/uuid"

// UUIDFor is the UUID an id is known by where an API wants UUIDs (Freeplay's paths): the id
// itself when it is a UUID (tracebridge's record ids are), in lower case, else the v5 UUID of
// "id:"+id in tracebridge's namespace. The same id always gives the same UUID, so re-sends
// land on the same item and a child names its parent without looking it up.
func UUIDFor(id string) string {
	if u, ok := uuid.Parse(id); ok {
		return u.String()
	}
	return uuid.V5(uuid.Namespace, []byte("id:"+id)).String()
}

// IsUUID reports whether s is a UUID in its canonical 8-4-4-4-12 hex form.
func IsUUID(s string) bool {
	_, ok := uuid.Parse(s)
	return ok
}
