package githubapi_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/fakegithub"
)

func TestTeamMember(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, fakegithub.Options{})
	srv.SetTeamMembers("acme", "gis-leads", "Wes", "max")
	srv.SetTeamMembership("acme", "gis-leads", "ivy", "pending")

	for _, tt := range []struct {
		org, slug, login string
		want             bool
	}{
		{"acme", "gis-leads", "wes", true},
		{"ACME", "GIS-Leads", "MAX", true},
		{"acme", "gis-leads", "ivy", false}, // an invitation is not membership
		{"acme", "gis-leads", "rei", false}, // 404
		{"acme", "nobody", "wes", false},    // a team the token cannot see
	} {
		t.Run(tt.org+"/"+tt.slug+" "+tt.login, func(t *testing.T) {
			got, err := c.TeamMember(ctx, tt.org, tt.slug, tt.login)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}

	t.Run("a server error is an error", func(t *testing.T) {
		srv.FailNext("GET", "/orgs/*/teams/*/memberships/*", 500, 10)
		_, err := c.TeamMember(ctx, "acme", "gis-leads", "wes")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "get the membership of wes in team acme/gis-leads")
	})
}
