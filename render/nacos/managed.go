package nacos

import "strings"

// How govctl knows what it last applied: every config it writes carries the
// marker "managed-by=govctl md5=<md5 of the content it wrote>" in its
// description. The detail view returns desc and the live md5 together, so
// one read tells:
//   - no marker: the config was not created by govctl (conflict unless
//     adopting);
//   - marker md5 == live md5: untouched since govctl wrote it, safe to
//     update;
//   - marker md5 != live md5: someone edited the content since (the
//     console re-sends the description it showed, so the marker survives a
//     console edit while the md5 changes): a conflict.
//
// The server limits desc to 128 characters (ParamUtils.checkParam), which
// the marker stays well within. The import bundle writes the same marker, so
// an imported entry is recognised as govctl's; package nacos (apply, the
// plan's live baseline) reads it back.

const (
	managedMarker = "managed-by=govctl"
	md5Field      = "md5="
)

// ManagedDesc is the description govctl writes on a config whose content
// has the given md5.
func ManagedDesc(md5 string) string {
	return managedMarker + " " + md5Field + md5
}

// ParseManagedDesc returns the md5 govctl recorded in a description written
// by ManagedDesc, and whether the description carries the marker at all.
func ParseManagedDesc(desc string) (md5 string, ok bool) {
	managed := false
	for _, f := range strings.Fields(desc) {
		switch {
		case f == managedMarker:
			managed = true
		case strings.HasPrefix(f, md5Field) && isHexMD5(f[len(md5Field):]):
			md5 = f[len(md5Field):]
		}
	}
	if !managed || md5 == "" {
		return "", false
	}
	return md5, true
}

func isHexMD5(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}
