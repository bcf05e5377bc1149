package github

import "fmt"

// ApprovalEnvironmentNames returns the GitHub environments that together
// require approvals distinct approvals for environment name: name itself,
// then "<name>-approval-2" … "<name>-approval-N". The deploy workflow runs
// one job per name, chained with needs, and then verifies with
// githubapi.VerifyDistinctApprovals that different people approved them.
func ApprovalEnvironmentNames(name string, approvals int) []string {
	names := []string{name}
	for i := 2; i <= approvals; i++ {
		names = append(names, fmt.Sprintf("%s-approval-%d", name, i))
	}
	return names
}
