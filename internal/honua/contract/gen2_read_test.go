package contract

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/honua"
)

// Read-only checks: they run against the emulator and a real Generation 2
// server alike.

// gen2Protocols are the protocol names a service may enable
// (honua-gen2-facets.md, Corrections 12; case-sensitive).
var gen2Protocols = []string{"FeatureServer", "MapServer", "ImageServer", "GPServer", "OgcFeatures", "OGC-API-Maps",
	"OGC-API-Coverages", "OGC-API-Tiles", "Wfs20", "Wms", "Wmts", "Wcs", "OData", "Grpc", "Stac", "Terrain", "Elevation"}

// gen2SslModes are Npgsql's canonical SslMode spellings.
var gen2SslModes = []string{"Disable", "Allow", "Prefer", "Require", "VerifyCA", "VerifyFull"}

// gen2Facets are the layer facets on trunk.
var gen2Facets = []string{"fields", "filter", "popup-info", "drawing-info", "relationships"}

// quotedHex is the inventory ETag: the quoted SHA-256 hex of the document.
var quotedHex = regexp.MustCompile(`^"[0-9a-fA-F]{64}"$`)

// honua-gen2-metadata-v2.md §3: the handshake detects Generation 2 and
// the client finds the served environment.
func TestGen2CapabilitiesAndEnvironment(t *testing.T) {
	t.Parallel()
	eachGen2(t, func(t *testing.T, tg *gen2Target) {
		caps, err := tg.client.Capabilities(t.Context())
		require.NoError(t, err)
		assert.Equal(t, honua.Generation2, caps.Generation)
		assert.NotEmpty(t, caps.MetadataAPIVersion)
		assert.Equal(t, honua.Features{}, caps.Features, "Gen2's hard-coded manifest flags are ignored")
		env, err := tg.client.Gen2Environment(t.Context())
		require.NoError(t, err)
		assert.NotEmpty(t, env)
		if tg.emulated {
			assert.Equal(t, "default", env)
		}
	})
}

// Corrections 1 and 15: the inventory carries the revision and a quoted
// SHA-256 ETag; neither travels as a header.
func TestGen2InventoryVersionShape(t *testing.T) {
	t.Parallel()
	eachGen2(t, func(t *testing.T, tg *gen2Target) {
		env, err := tg.client.Gen2Environment(t.Context())
		require.NoError(t, err)
		inv, err := tg.client.Gen2Inventory(t.Context(), env)
		require.NoError(t, err)
		assert.Equal(t, env, inv.Environment)
		assert.Positive(t, inv.Revision)
		assert.Regexp(t, quotedHex, inv.ETag)
		for _, e := range inv.Entries {
			assert.NotEmpty(t, e.SemanticID, "every entry has a semantic id")
			assert.NotEmpty(t, e.ArtifactKind)
		}
		if tg.emulated {
			assert.EqualValues(t, 1, inv.Revision, "a seeded graph starts at revision 1")
			again, err := tg.client.Gen2Inventory(t.Context(), env)
			require.NoError(t, err)
			assert.Equal(t, inv.ETag, again.ETag, "reads do not move the version")
			l := tg.gen2Log(t)
			assert.Equal(t, l.ETag, inv.ETag)
		}
		_, err = tg.client.Gen2Inventory(t.Context(), "honua-gitops-contract-no-such-environment-"+runID)
		assert.Error(t, err, "an unknown environment has no inventory")
	})
}

// Corrections 12: settings by case-insensitive name; protocol names from
// the fixed, case-sensitive list; the four access-policy members.
func TestGen2ServiceSettings(t *testing.T) {
	t.Parallel()
	eachGen2(t, func(t *testing.T, tg *gen2Target) {
		names := tg.serviceNames(t)
		if tg.emulated {
			assert.Equal(t, []string{gen2Service}, names)
		}
		if len(names) == 0 {
			t.Skip("the server has no service")
		}
		for _, name := range names[:min(3, len(names))] {
			s, err := tg.client.Gen2ServiceSettings(t.Context(), name)
			require.NoError(t, err, name)
			assert.True(t, strings.EqualFold(name, s.ServiceName), "%s: %s", name, s.ServiceName)
			assert.NotEmpty(t, s.EnabledProtocols)
			for _, p := range s.EnabledProtocols {
				assert.Contains(t, gen2Protocols, p, "protocol names are case-sensitive")
			}
			assert.Subset(t, keysOf(s.AccessPolicy), []string{"allowAnonymous", "allowAnonymousWrite", "allowedRoles", "allowedWriteRoles"})

			upper, err := tg.client.Gen2ServiceSettings(t.Context(), strings.ToUpper(name))
			require.NoError(t, err, "service names match case-insensitively")
			assert.Equal(t, s.EnabledProtocols, upper.EnabledProtocols)
		}
		_, err := tg.client.Gen2ServiceSettings(t.Context(), "honua-gitops-contract-no-such-service-"+runID)
		assert.True(t, honua.IsNotFound(err), "%v", err)
		if tg.emulated {
			s, err := tg.client.Gen2ServiceSettings(t.Context(), gen2Service)
			require.NoError(t, err)
			assert.Equal(t, []string{"FeatureServer", "OgcFeatures"}, s.EnabledProtocols)
			assert.Equal(t, true, s.AccessPolicy["allowAnonymous"])
		}
	})
}

// Corrections 13: secrets never appear; sslMode comes back in Npgsql's
// canonical spelling whatever was written.
func TestGen2ConnectionsList(t *testing.T) {
	t.Parallel()
	eachGen2(t, func(t *testing.T, tg *gen2Target) {
		conns, err := tg.client.Gen2Connections(t.Context())
		require.NoError(t, err)
		for _, c := range conns {
			assert.NotEmpty(t, c.ConnectionID)
			assert.NotEmpty(t, c.Name)
			assert.True(t, c.IsActive, "the list shows active connections only: %s", c.Name)
			if c.SslMode != "" {
				assert.Contains(t, gen2SslModes, c.SslMode, "%s: sslMode in canonical casing", c.Name)
			}
		}
		d, _ := tg.rawData(t, "/api/v1/admin/connections")
		list, ok := d.([]any)
		require.True(t, ok, "%v", d)
		require.Len(t, list, len(conns))
		for _, e := range list {
			m, _ := e.(map[string]any)
			for _, secret := range []string{"password", "secretReference", "secretType", "secret", "connectionString"} {
				assert.NotContains(t, m, secret, "a connection never shows its secret")
			}
		}
		if tg.emulated {
			require.Len(t, conns, 1)
			assert.Equal(t, "gis", conns[0].Name)
			assert.Equal(t, "Require", conns[0].SslMode, "seeded as \"require\"")
		}
	})
}

// §3.1 item 4: layers listed per connection and service.
func TestGen2LayersList(t *testing.T) {
	t.Parallel()
	eachGen2(t, func(t *testing.T, tg *gen2Target) {
		found, ok := tg.firstLayer(t)
		if !ok {
			require.False(t, tg.emulated, "the seed publishes layers")
			t.Skip("the server has no published layer")
		}
		ls, err := tg.client.Gen2Layers(t.Context(), found.connection, found.service)
		require.NoError(t, err)
		for _, l := range ls {
			assert.Positive(t, l.LayerID)
			assert.NotEmpty(t, l.LayerName)
			assert.True(t, strings.EqualFold(found.service, l.ServiceName), "%s in %s", l.LayerName, l.ServiceName)
		}
		if tg.emulated {
			var got []string
			for _, l := range ls {
				got = append(got, l.LayerName+"="+strconv.FormatInt(l.LayerID, 10))
			}
			assert.ElementsMatch(t, []string{"parcels=1", "owners=2"}, got)
		}
	})
}

// §1.3 and Corrections 3–5: every facet of the first layer reads, without
// an ETag; fields types are PascalCase; a popup-info or drawing-info that
// is present is an object; an unknown layer is 404 on every facet.
func TestGen2FacetReads(t *testing.T) {
	t.Parallel()
	eachGen2(t, func(t *testing.T, tg *gen2Target) {
		found, ok := tg.firstLayer(t)
		if !ok {
			t.Skip("the server has no published layer")
		}
		id := found.layer.LayerID
		for _, facet := range gen2Facets {
			got, err := tg.client.Gen2LayerFacet(t.Context(), id, facet)
			require.NoError(t, err, facet)
			assert.EqualValues(t, id, got["layerId"], facet)
			raw := tg.raw(t, http.MethodGet, "/api/v1/admin/metadata/layers/"+strconv.FormatInt(id, 10)+"/"+facet, nil)
			require.Equal(t, http.StatusOK, raw.status)
			assert.Empty(t, raw.header.Get("ETag"), "%s: facets carry no ETag (no precondition exists)", facet)
			switch facet {
			case "fields":
				fields, _ := got["fields"].([]any)
				for _, f := range fields {
					fm, _ := f.(map[string]any)
					typ, _ := fm["type"].(string)
					assert.True(t, pascalCase(typ), "field %v type %q is PascalCase", fm["name"], typ)
					for _, k := range []string{"alias", "domain"} {
						if v, present := fm[k]; present {
							assert.NotNil(t, v, "field %v: an absent %s is omitted, never null", fm["name"], k)
						}
					}
				}
			case "popup-info", "drawing-info":
				if doc, present := got["document"]; present {
					assert.NotNil(t, doc, "%s: an empty document is omitted, not null", facet)
				}
			case "relationships":
				_, ok := got["relationships"].([]any)
				assert.True(t, ok, "relationships is a list: %v", got)
			}
		}
		const unknown = int64(2147480000)
		for _, facet := range gen2Facets {
			_, err := tg.client.Gen2LayerFacet(t.Context(), unknown, facet)
			assert.True(t, honua.IsNotFound(err), "%s of an unknown layer: %v", facet, err)
		}
	})
}

// Corrections 7: the OGC style of a layer is a 404 when unstyled, else a
// normalised MapLibre v8 stylesheet with the Honua source.
func TestGen2StyleRead(t *testing.T) {
	t.Parallel()
	eachGen2(t, func(t *testing.T, tg *gen2Target) {
		found, ok := tg.firstLayer(t)
		if !ok {
			t.Skip("the server has no published layer")
		}
		style, styled, err := tg.client.Gen2Style(t.Context(), found.layer.LayerName)
		require.NoError(t, err)
		if tg.emulated {
			assert.False(t, styled, "a seeded layer is unstyled")
		}
		if styled {
			assertMapLibre(t, style, found.layer.LayerID)
		}
		_, styled, err = tg.client.Gen2Style(t.Context(), "honua-gitops-contract-no-such-style-"+runID)
		require.NoError(t, err)
		assert.False(t, styled)
	})
}

func assertMapLibre(t *testing.T, style map[string]any, layerID int64) {
	t.Helper()
	assert.Contains(t, []any{int64(8), "8"}, style["version"])
	layers, _ := style["layers"].([]any)
	assert.NotEmpty(t, layers)
	sources, _ := style["sources"].(map[string]any)
	assert.Contains(t, sources, "layer-"+strconv.FormatInt(layerID, 10), "the server sets the Honua source")
}

// pascalCase reports a non-empty name starting with an upper-case letter
// and holding only letters and digits.
func pascalCase(s string) bool {
	if s == "" || !unicode.IsUpper(rune(s[0])) {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
