package plan

// PlanMarker returns the hidden marker that identifies govctl's plan comment
// for one platform: "<!-- govctl:plan:<platform> -->". The Markdown report
// starts with it, and githubapi.UpsertComment finds the comment to update by
// it.
func PlanMarker(platform string) string {
	return "<!-- govctl:plan:" + platform + " -->"
}
