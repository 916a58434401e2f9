package contract

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// §1.2, A.8: the handshake detects Generation 1, major 1, the base path,
// the kinds, and the features of the edition.
func TestCapabilitiesAndGeneration(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg *target) {
		caps, err := tg.client.Capabilities(t.Context())
		require.NoError(t, err)
		assert.Equal(t, honua.Generation1, caps.Generation)
		assert.Equal(t, 1, caps.ControlPlaneMajor)
		assert.Equal(t, "/api/v1/admin", caps.BasePath)
		assert.NotEmpty(t, caps.MetadataAPIVersions)
		assert.Subset(t, caps.ResourceKinds, []string{"Theme", "MapTemplate"})
		assert.True(t, caps.Features.MetadataResources, "CRUD exists in every edition")
		assert.True(t, caps.Features.ManifestExport, "export exists in every edition")
		assert.Equal(t, tg.enterprise, caps.Features.ManifestApply)
		if tg.emulated {
			assert.Equal(t, tg.enterprise, caps.Features.ManifestDryRun)
			assert.Equal(t, tg.enterprise, caps.Features.ManifestPrune)
			assert.Equal(t, tg.enterprise, caps.Features.ManifestApproval)
			assert.Equal(t, emulator.DefaultServerVersion, caps.ServerVersion)
			assert.Equal(t, "stable", caps.ReleaseChannel)
		}
	})
}

// honua-gen2-metadata-v2.md §3: a Generation 2 server is detected, not
// refused; its hard-coded manifest flags are ignored; the Generation 1
// routes answer 404, which the client reports as "not found" with the URL
// hint, never as a missing edition feature.
func TestGeneration2IsDetected(t *testing.T) {
	t.Parallel()
	run, err := emulator.Start(t.Context(), emulator.Options{APIKey: emulatorKey, Generation: emulator.Generation2})
	require.NoError(t, err)
	t.Cleanup(func() { _ = run.Close() })
	c, err := honua.New(honua.Config{BaseURL: run.URL, Credential: emulatorKey})
	require.NoError(t, err)
	ctx := t.Context()

	caps, err := c.Capabilities(ctx)
	require.NoError(t, err)
	assert.Equal(t, honua.Generation2, caps.Generation)
	assert.Equal(t, "Generation 2 (Metadata v2)", caps.Generation.String())
	assert.Equal(t, "metadata.honua.io/v2alpha1", caps.MetadataAPIVersion)
	assert.Equal(t, honua.Features{}, caps.Features, "Gen2's hard-coded manifest flags are ignored")
	assert.Equal(t, "1.0.0", caps.ServerVersion)

	v, err := c.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, "metadata.honua.io/v2alpha1", v.MetadataAPIVersion)

	_, err = c.ExportManifest(ctx, "")
	require.True(t, honua.IsNotFound(err), "%v", err)
	assert.Contains(t, err.Error(), honua.HintNotFound)
	_, err = c.ListResources(ctx, "", "")
	require.True(t, honua.IsNotFound(err), "%v", err)
	_, err = c.ApplyManifest(ctx, honua.ApplyRequest{Resources: []*resource.Resource{theme("default", "t", nil)}})
	require.True(t, honua.IsNotFound(err), "%v", err)
	assert.False(t, honua.IsFeatureUnavailable(err))
	require.NoError(t, c.Ready(ctx))
}

// §1.2, A.2: /version carries version, metadataApiVersion and serverTime.
func TestVersion(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg *target) {
		v, err := tg.client.Version(t.Context())
		require.NoError(t, err)
		assert.NotEmpty(t, v.Version)
		assert.NotEmpty(t, v.MetadataAPIVersion)
		_, err = time.Parse(time.RFC3339Nano, v.ServerTime)
		assert.NoError(t, err, "serverTime %q", v.ServerTime)
	})
}

// §1.5, A.5, B.8: create 201 with an ETag; the ETag is stable while the
// resource is unchanged; update with the right ETag; 412 on a stale one;
// delete; 404 afterwards.
func TestResourceLifecycle(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg *target) {
		ctx, c := t.Context(), tg.client
		r := theme(tg.ns, "lifecycle", map[string]any{"primaryColor": "#112233", "opacity": 0.5})
		r.Metadata.Annotations = map[string]string{resource.AnnotationManagedBy: resource.ManagedByValue}

		created, err := c.CreateResource(ctx, r)
		require.NoError(t, err)
		require.NotEmpty(t, created.ETag, "POST answers 201 with an ETag")
		assert.Equal(t, r.ID(), created.ID)
		assert.Equal(t, resource.ManagedByValue, created.Annotations[resource.AnnotationManagedBy])
		assert.True(t, resource.Equal(r.Spec, created.Resource.Spec), "spec round-trips: %v", created.Resource.Spec)
		assert.NotEmpty(t, created.ResourceVersion)

		got, err := c.GetResource(ctx, r.ID())
		require.NoError(t, err)
		assert.Equal(t, created.ETag, got.ETag, "the ETag is stable while the resource is unchanged")
		again, err := c.GetResource(ctx, r.ID())
		require.NoError(t, err)
		assert.Equal(t, got.ETag, again.ETag)

		r.Spec["primaryColor"] = "#445566"
		updated, err := c.UpdateResource(ctx, r, got.ETag)
		require.NoError(t, err)
		require.NotEmpty(t, updated.ETag)
		assert.NotEqual(t, got.ETag, updated.ETag, "an update changes the ETag")
		assert.Equal(t, "#445566", updated.Resource.Spec["primaryColor"])

		_, err = c.UpdateResource(ctx, r, got.ETag)
		require.True(t, honua.IsPreconditionFailed(err), "stale ETag: %v", err)
		assert.Contains(t, err.Error(), "412 Precondition Failed")
		assert.Contains(t, err.Error(), honua.HintPrecondition)

		err = c.DeleteResource(ctx, r.ID(), got.ETag)
		require.True(t, honua.IsPreconditionFailed(err), "stale ETag on delete: %v", err)

		require.NoError(t, c.DeleteResource(ctx, r.ID(), updated.ETag))
		_, err = c.GetResource(ctx, r.ID())
		require.True(t, honua.IsNotFound(err), "%v", err)
		assert.Equal(t, "honua: GET /api/v1/admin/metadata/resources/Theme/"+tg.ns+"/lifecycle: 404 Not Found", err.Error())
		err = c.DeleteResource(ctx, r.ID(), updated.ETag)
		require.True(t, honua.IsNotFound(err), "%v", err)
	})
}

// §1.5: POST on an existing resource is 409.
func TestCreateTwiceConflicts(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg *target) {
		r := theme(tg.ns, "twice", nil)
		_, err := tg.client.CreateResource(t.Context(), r)
		require.NoError(t, err)
		_, err = tg.client.CreateResource(t.Context(), r)
		require.True(t, honua.IsConflict(err), "%v", err)
		assert.False(t, honua.IsRetryable(err))
	})
}

// §1.5, A.3, B.2: lists are bare arrays, filtered exactly by kind and
// namespace, and carry no ETags.
func TestListFilters(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg *target) {
		ctx, c := t.Context(), tg.client
		for _, r := range []*resource.Resource{theme(tg.ns, "a", nil), theme(tg.ns, "b", nil), mapTemplate(tg.ns, "c")} {
			_, err := c.CreateResource(ctx, r)
			require.NoError(t, err)
		}
		themes, err := c.ListResources(ctx, "Theme", tg.ns)
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b"}, names(themes))
		for _, o := range themes {
			assert.Empty(t, o.ETag, "lists carry no ETag")
			assert.NotEmpty(t, o.ResourceVersion)
		}
		all, err := c.ListResources(ctx, "", tg.ns)
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b", "c"}, names(all))
		templates, err := c.ListResources(ctx, "MapTemplate", tg.ns)
		require.NoError(t, err)
		assert.Equal(t, []string{"c"}, names(templates))

		none, err := c.ListResources(ctx, "Theme", tg.ns+"-elsewhere")
		require.NoError(t, err)
		assert.Empty(t, none)
		lower, err := c.ListResources(ctx, "theme", tg.ns)
		require.NoError(t, err)
		assert.Empty(t, lower, "the kind filter is case-sensitive (B.2)")

		everything, err := c.ListResources(ctx, "", "")
		require.NoError(t, err)
		assert.NotNil(t, find(everything, resource.Identity{Kind: "MapTemplate", Namespace: tg.ns, Name: "c"}))
	})
}

// §1.4, B.5: the export lists the resources with every annotation kept in
// Object.Annotations, while the canonical resource drops the tool's and
// the server's.
func TestExportKeepsAnnotations(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg *target) {
		ctx, c := t.Context(), tg.client
		r := theme(tg.ns, "exported", nil)
		r.Metadata.Labels = map[string]string{"env": "contract"}
		r.Metadata.Annotations = map[string]string{
			resource.AnnotationManagedBy: resource.ManagedByValue, resource.AnnotationEnvironment: "contract", "team": "gis",
		}
		_, err := c.CreateResource(ctx, r)
		require.NoError(t, err)

		m, err := c.ExportManifest(ctx, tg.ns)
		require.NoError(t, err)
		assert.NotEmpty(t, m.ManifestHash)
		require.Len(t, m.Objects, 1, "the namespace filter applies")
		o := m.Objects[0]
		assert.Empty(t, o.ETag, "exports carry no ETag")
		assert.Equal(t, r.Metadata.Annotations, o.Annotations)
		assert.Equal(t, map[string]string{"team": "gis"}, o.Resource.Metadata.Annotations)
		assert.Equal(t, map[string]string{"env": "contract"}, o.Resource.Metadata.Labels)

		all, err := c.ExportManifest(ctx, "")
		require.NoError(t, err)
		assert.NotNil(t, find(all.Objects, r.ID()))

		if !tg.enterprise {
			return
		}
		_, err = c.ApplyManifest(ctx, honua.ApplyRequest{Resources: []*resource.Resource{r}})
		require.NoError(t, err)
		m, err = c.ExportManifest(ctx, tg.ns)
		require.NoError(t, err)
		require.Len(t, m.Objects, 1)
		assert.NotEmpty(t, m.Objects[0].Annotations[resource.AnnotationLastAppliedHash], "apply stamps the last-applied hash")
		assert.Equal(t, resource.ManagedByValue, m.Objects[0].Annotations[resource.AnnotationManagedBy])
		assert.NotContains(t, m.Objects[0].Resource.Metadata.Annotations, resource.AnnotationLastAppliedHash)
	})
}

// §1.4, A.12, B.1: create, then "No changes.", then update; a dry run
// writes nothing; prune deletes only what shares kind and namespace; the
// summary counts equal the entries. Community: apply is an unavailable
// feature, dry run included.
func TestManifestApply(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg *target) {
		ctx, c := t.Context(), tg.client
		a, b := theme(tg.ns, "a", map[string]any{"n": int64(1)}), theme(tg.ns, "b", nil)
		if !tg.enterprise {
			for _, dry := range []bool{false, true} {
				_, err := c.ApplyManifest(ctx, honua.ApplyRequest{Resources: []*resource.Resource{a}, DryRun: dry})
				require.True(t, honua.IsFeatureUnavailable(err), "dry run %v: %v", dry, err)
			}
			_, err := c.GetResource(ctx, a.ID())
			require.True(t, honua.IsNotFound(err), "nothing was applied")
			return
		}

		res, err := c.ApplyManifest(ctx, honua.ApplyRequest{Resources: []*resource.Resource{a, b}, RequestedBy: "contract"})
		require.NoError(t, err)
		assert.False(t, res.DryRun)
		assert.ElementsMatch(t, []string{"create a", "create b"}, actions(res))
		assert.Equal(t, honua.ApplySummary{Created: 2}, res.Summary)
		assert.Empty(t, res.Failures())

		res, err = c.ApplyManifest(ctx, honua.ApplyRequest{Resources: []*resource.Resource{a, b}})
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"skip a", "skip b"}, actions(res))
		for _, e := range res.Entries {
			require.NotNil(t, e.Message)
			assert.Equal(t, honua.MessageNoChanges, *e.Message)
			assert.False(t, e.Failed(), "\"No changes.\" is not a failure")
		}

		a.Spec["n"] = int64(2)
		res, err = c.ApplyManifest(ctx, honua.ApplyRequest{Resources: []*resource.Resource{a, b}})
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"update a", "skip b"}, actions(res))
		assert.Equal(t, honua.ApplySummary{Updated: 1, Skipped: 1}, res.Summary)
		got, err := c.GetResource(ctx, a.ID())
		require.NoError(t, err)
		assert.Equal(t, int64(2), got.Resource.Spec["n"])

		d := theme(tg.ns, "dry", nil)
		res, err = c.ApplyManifest(ctx, honua.ApplyRequest{Resources: []*resource.Resource{a, b, d}, DryRun: true})
		require.NoError(t, err)
		assert.True(t, res.DryRun)
		assert.ElementsMatch(t, []string{"skip a", "skip b", "create dry"}, actions(res))
		_, err = c.GetResource(ctx, d.ID())
		require.True(t, honua.IsNotFound(err), "a dry run writes nothing: %v", err)

		other := mapTemplate(tg.ns, "other-kind")
		_, err = c.CreateResource(ctx, other)
		require.NoError(t, err)
		res, err = c.ApplyManifest(ctx, honua.ApplyRequest{Resources: []*resource.Resource{a}, Prune: true})
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"skip a", "delete b"}, actions(res))
		assert.Equal(t, res.Summary.Created+res.Summary.Updated+res.Summary.Deleted+res.Summary.Skipped, len(res.Entries))
		_, err = c.GetResource(ctx, b.ID())
		require.True(t, honua.IsNotFound(err), "pruned: %v", err)
		_, err = c.GetResource(ctx, other.ID())
		require.NoError(t, err, "prune never touches a kind that was not sent")
	})
}

// B.1, B.2, B.4: failed writes are skip entries inside a 200, found by
// ApplyEntry.Failed. The kind-case collision is the emulator's reading of
// B.2; the namespace "" trap cannot be sprung through the client, which
// always sends "default".
func TestApplyReportsFailedWrites(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg *target) {
		tg.enterpriseOnly(t)
		tg.emulatorOnly(t, "the kind-case collision and the default namespace are the emulator's reading of B.2 and B.4")
		ctx, c := t.Context(), tg.client
		_, err := c.CreateResource(ctx, theme(tg.ns, "x", nil))
		require.NoError(t, err)

		lower := theme(tg.ns, "x", nil)
		lower.Kind = "theme"
		res, err := c.ApplyManifest(ctx, honua.ApplyRequest{Resources: []*resource.Resource{lower, theme(tg.ns, "y", nil)}})
		require.NoError(t, err, "a failed write is still HTTP 200")
		assert.ElementsMatch(t, []string{"skip x", "create y"}, actions(res))
		failures := res.Failures()
		require.Len(t, failures, 1)
		assert.Equal(t, resource.Identity{Kind: "theme", Namespace: tg.ns, Name: "x"}, failures[0].Resource)
		assert.Equal(t, "Resource already exists.", *failures[0].Message)
		assert.True(t, failures[0].Failed())

		noNS := theme("", "in-default", nil)
		for i, want := range []string{"create in-default", "skip in-default"} {
			res, err = c.ApplyManifest(ctx, honua.ApplyRequest{Resources: []*resource.Resource{noNS}})
			require.NoError(t, err)
			assert.Equal(t, []string{want}, actions(res), "apply %d", i+1)
			assert.Empty(t, res.Failures(), "namespace \"\" is sent as default, so the second apply is no change")
		}
		assert.Equal(t, resource.DefaultNamespace, res.Entries[0].Resource.Namespace)
	})
}

// §1.7: approvalRequired answers 202 with a pending change (Enterprise), and
// 403 on the community edition.
func TestApplyPendingApproval(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg *target) {
		tg.emulatorOnly(t, "a pending change cannot be withdrawn through this client")
		r := theme(tg.ns, "pending", nil)
		_, err := tg.client.ApplyManifest(t.Context(), honua.ApplyRequest{Resources: []*resource.Resource{r}, ApprovalRequired: true, RequestedBy: "contract"})
		if !tg.enterprise {
			require.True(t, honua.IsFeatureUnavailable(err), "%v", err)
			return
		}
		pe, ok := honua.AsPendingApproval(err)
		require.True(t, ok, "%v", err)
		assert.NotEmpty(t, pe.PendingID)
		assert.Equal(t, "pending", pe.Status)
		_, err = tg.client.GetResource(t.Context(), r.ID())
		require.True(t, honua.IsNotFound(err), "nothing is applied before approval")
	})
}

// §1.6, A.9, B.6: versions record every real apply; drift compares with
// the newest version and reports resources outside it as extra. Community:
// both are unavailable features.
func TestDriftAndVersions(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg *target) {
		ctx, c := t.Context(), tg.client
		if !tg.enterprise {
			_, err := c.Drift(ctx, false)
			require.True(t, honua.IsFeatureUnavailable(err), "%v", err)
			_, err = c.Versions(ctx, 10, 0)
			require.True(t, honua.IsFeatureUnavailable(err), "%v", err)
			return
		}
		if tg.emulated {
			rep, err := c.Drift(ctx, false)
			require.NoError(t, err)
			assert.Nil(t, rep.BaselineVersionID, "no apply yet")
			assert.False(t, rep.HasDrift)
		}
		declared := theme(tg.ns, "declared", nil)
		_, err := c.ApplyManifest(ctx, honua.ApplyRequest{Resources: []*resource.Resource{declared}})
		require.NoError(t, err)

		vs, err := c.Versions(ctx, 1, 0)
		require.NoError(t, err)
		require.Len(t, vs, 1)
		latest := vs[0]
		assert.NotEmpty(t, latest.VersionID)
		assert.NotEmpty(t, latest.ManifestHash)
		assert.NotEmpty(t, latest.Actor)
		assert.NotEmpty(t, latest.AppliedAt)
		assert.Equal(t, 1, latest.ResourceCount)
		assert.Contains(t, latest.Summary, "Created: 1")
		v, err := c.GetVersion(ctx, latest.VersionID)
		require.NoError(t, err)
		require.Len(t, v.Objects, 1)
		assert.Equal(t, declared.ID(), v.Objects[0].ID)

		extra := theme(tg.ns, "hand-made", nil)
		_, err = c.CreateResource(ctx, extra)
		require.NoError(t, err)
		rep, err := c.Drift(ctx, true)
		require.NoError(t, err)
		require.NotNil(t, rep.BaselineVersionID)
		assert.True(t, rep.HasDrift)
		var found *honua.DriftEntry
		for i := range rep.Resources {
			if rep.Resources[i].Identifier == extra.ID() {
				found = &rep.Resources[i]
			}
		}
		require.NotNil(t, found, "the hand-made resource is reported")
		assert.Equal(t, honua.DriftExtra, found.DriftType)
		assert.NotEmpty(t, found.ActualHash)
		assert.Empty(t, found.DeclaredHash)
		if tg.emulated {
			assert.Equal(t, latest.VersionID, *rep.BaselineVersionID, "the baseline is the newest version")
			assert.Equal(t, map[string]any{"name": "hand-made"}, found.ActualSpec, "verbose reports carry specs")
		}
	})
}

// §1.2: health answers without credentials.
func TestHealth(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg *target) {
		require.NoError(t, tg.client.Live(t.Context()))
		require.NoError(t, tg.client.Ready(t.Context()))
		require.NoError(t, tg.client.WaitReady(t.Context(), 10*time.Second, 100*time.Millisecond))
		anonymous := tg.newClient(t, func(c *honua.Config) { c.Credential = "" })
		require.NoError(t, anonymous.Ready(t.Context()))
	})
}

// §1.1, B.7: a wrong key is 401 with the hint, and neither key shows in
// the message.
func TestWrongKey(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, tg *target) {
		wrongKey := "wrong-key-" + randomHex(8)
		for _, auth := range []honua.AuthType{honua.AuthAPIKey, honua.AuthBearer} {
			c := tg.newClient(t, func(c *honua.Config) { c.Credential = wrongKey; c.Auth = auth })
			_, err := c.Capabilities(t.Context())
			require.True(t, honua.IsUnauthorized(err), "%s: %v", auth, err)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "honua: GET /api/v1/admin/capabilities: 401 Unauthorized"), msg)
			assert.Contains(t, msg, "("+honua.HintUnauthorized+")")
			assert.NotContains(t, msg, wrongKey)
			assert.NotContains(t, msg, tg.key)
			_, err = c.ListResources(t.Context(), "", tg.ns)
			require.True(t, honua.IsUnauthorized(err), "%v", err)
		}
	})
}

// An unreachable server gives a readable error naming the URL.
func TestUnreachableServer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	c, err := honua.New(honua.Config{BaseURL: url, Credential: emulatorKey,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	require.NoError(t, err)
	_, err = c.Capabilities(t.Context())
	var te *honua.TransportError
	require.ErrorAs(t, err, &te)
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "honua: GET "+url+"/api/v1/admin/capabilities: server unreachable: dial tcp "), msg)
	assert.Contains(t, msg, "connection refused (check the URL and that the server is running)")
	assert.NotContains(t, msg, emulatorKey)
	assert.True(t, honua.IsRetryable(err))
}

// Emulator faults: a dropped connection on an idempotent call is retried
// and then reported as unreachable; a create is never retried.
func TestDroppedConnections(t *testing.T) {
	t.Parallel()
	run, err := emulator.Start(t.Context(), emulator.Options{APIKey: emulatorKey, Faults: emulator.Faults{DropRate: 1, Seed: 1}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = run.Close() })
	c, err := honua.New(honua.Config{BaseURL: run.URL, Credential: emulatorKey,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	require.NoError(t, err)

	_, err = c.ListResources(t.Context(), "", "")
	var te *honua.TransportError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 4, te.Attempts)
	_, err = c.CreateResource(t.Context(), theme("default", "t", nil))
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 1, te.Attempts, "POST is never retried")
	require.NoError(t, c.Ready(t.Context()), "health checks are exempt from faults")
}
