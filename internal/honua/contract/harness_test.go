package contract

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/resource"
)

const emulatorKey = "contract-emulator-key"

// target is one server the suite runs against, with a namespace of its own
// for the running test.
type target struct {
	name string
	// emulated is true for the in-process emulator.
	emulated bool
	// enterprise is true when the server offers manifest apply.
	enterprise bool
	url, key   string
	auth       honua.AuthType
	caFile     string
	client     *honua.Client
	ns         string
	// run is the emulator, nil for a real server.
	run *emulator.Running
}

// newClient builds another client for the target, e.g. with a wrong key.
func (tg *target) newClient(t *testing.T, mods ...func(*honua.Config)) *honua.Client {
	t.Helper()
	cfg := honua.Config{
		BaseURL: tg.url, Credential: tg.key, Auth: tg.auth, CAFile: tg.caFile,
		Timeout: 30 * time.Second, UserAgent: "honua-gitops-contract",
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := honua.New(cfg)
	require.NoError(t, err)
	return c
}

// targetSpec opens a target for one test.
type targetSpec struct {
	name string
	open func(t *testing.T) *target
}

func emulatorSpec(edition emulator.Edition) targetSpec {
	return targetSpec{name: "emulator " + string(edition), open: func(t *testing.T) *target {
		t.Helper()
		run, err := emulator.Start(t.Context(), emulator.Options{APIKey: emulatorKey, Edition: edition})
		require.NoError(t, err)
		t.Cleanup(func() { _ = run.Close() })
		tg := &target{name: "emulator " + string(edition), emulated: true, enterprise: edition == emulator.EditionEnterprise,
			url: run.URL, key: emulatorKey, run: run, ns: namespace()}
		tg.client = tg.newClient(t)
		return tg
	}}
}

// real-server probe, once per process.
var (
	realOnce sync.Once
	realCaps *honua.Capabilities
	realErr  error
)

func realSpec() targetSpec {
	return targetSpec{name: "real server", open: func(t *testing.T) *target {
		t.Helper()
		url, key := os.Getenv("HONUA_URL"), os.Getenv("HONUA_API_KEY")
		if url == "" || key == "" {
			t.Skip("HONUA_URL and HONUA_API_KEY are not set: skipping the real-server run")
		}
		tg := &target{name: "real server", url: url, key: key, auth: honua.AuthType(os.Getenv("HONUA_AUTH")), caFile: os.Getenv("HONUA_CA_FILE")}
		tg.client = tg.newClient(t)
		realOnce.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			realCaps, realErr = tg.client.Capabilities(ctx)
		})
		require.NoError(t, realErr, "the real server's capabilities")
		if realCaps.Generation != honua.Generation1 {
			t.Skipf("the server at HONUA_URL speaks %s (server version %q): this suite covers Generation 1 only; skipping the real-server run",
				realCaps.Generation, realCaps.ServerVersion)
		}
		tg.enterprise = realCaps.Features.ManifestApply
		tg.ns = namespace()
		t.Cleanup(func() { cleanNamespace(t, tg.client, tg.ns) })
		return tg
	}}
}

// each runs fn against every target: the emulator in both editions and,
// when configured, a real server.
func each(t *testing.T, fn func(t *testing.T, tg *target)) {
	t.Helper()
	for _, spec := range []targetSpec{emulatorSpec(emulator.EditionEnterprise), emulatorSpec(emulator.EditionCommunity), realSpec()} {
		t.Run(spec.name, func(t *testing.T) {
			t.Parallel()
			fn(t, spec.open(t))
		})
	}
}

// enterpriseOnly skips a community target.
func (tg *target) enterpriseOnly(t *testing.T) {
	t.Helper()
	if !tg.enterprise {
		t.Skipf("%s does not offer manifest apply", tg.name)
	}
}

// emulatorOnly skips a real server.
func (tg *target) emulatorOnly(t *testing.T, why string) {
	t.Helper()
	if !tg.emulated {
		t.Skip("emulator only: " + why)
	}
}

var (
	runID   = randomHex(4)
	nsCount atomic.Int64
)

// namespace returns a namespace unique to this run and test.
func namespace() string {
	return fmt.Sprintf("honua-gitops-contract-%s-%d", runID, nsCount.Add(1))
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// cleanNamespace deletes every resource left in the test's namespace.
func cleanNamespace(t *testing.T, c *honua.Client, ns string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	objs, err := c.ListResources(ctx, "", ns)
	if err != nil {
		t.Errorf("clean up namespace %s: %v", ns, err)
		return
	}
	// Dependents first.
	slices.SortFunc(objs, func(a, b honua.Object) int { return b.ID.Compare(a.ID) })
	for _, o := range objs {
		cur, err := c.GetResource(ctx, o.ID)
		if honua.IsNotFound(err) {
			continue
		}
		if err == nil {
			err = c.DeleteResource(ctx, o.ID, cur.ETag)
		}
		if err != nil && !honua.IsNotFound(err) {
			t.Errorf("clean up %s: %v", o.ID, err)
		}
	}
}

// theme is a Theme resource (spec {name}), the kind least likely to need
// anything else on a real server.
func theme(ns, name string, spec map[string]any) *resource.Resource {
	s := map[string]any{"name": name}
	for k, v := range spec {
		s[k] = v
	}
	return &resource.Resource{APIVersion: resource.APIVersion, Kind: "Theme",
		Metadata: resource.Metadata{Name: name, Namespace: ns}, Spec: s}
}

// mapTemplate is a MapTemplate resource (spec {name, category}).
func mapTemplate(ns, name string) *resource.Resource {
	return &resource.Resource{APIVersion: resource.APIVersion, Kind: "MapTemplate",
		Metadata: resource.Metadata{Name: name, Namespace: ns}, Spec: map[string]any{"name": name, "category": "contract"}}
}

// names lists the objects' names, sorted.
func names(objs []honua.Object) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.ID.Name)
	}
	slices.Sort(out)
	return out
}

// actions lists an apply's entries as "action name".
func actions(res *honua.ApplyResult) []string {
	out := make([]string, 0, len(res.Entries))
	for _, e := range res.Entries {
		out = append(out, e.Action+" "+e.Resource.Name)
	}
	return out
}

// find returns the object with the identity, or nil.
func find(objs []honua.Object, id resource.Identity) *honua.Object {
	for i := range objs {
		if objs[i].ID == id {
			return &objs[i]
		}
	}
	return nil
}
