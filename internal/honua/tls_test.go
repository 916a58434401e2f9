package honua

import (
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCABundle(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeData(w, http.StatusOK, gen1Capabilities())
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted case logs a handshake error
	srv.StartTLS()
	t.Cleanup(srv.Close)
	bundle := filepath.Join(t.TempDir(), "honua-ca.pem")
	require.NoError(t, os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))

	t.Run("trusted through CAFile", func(t *testing.T) {
		t.Parallel()
		c, _ := newTestClient(t, srv.URL, func(c *Config) { c.CAFile = bundle })
		caps, err := c.Capabilities(t.Context())
		require.NoError(t, err)
		assert.Equal(t, Generation1, caps.Generation)
	})
	t.Run("untrusted without it", func(t *testing.T) {
		t.Parallel()
		c, sl := newTestClient(t, srv.URL)
		_, err := c.Capabilities(t.Context())
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.Equal(t, HintTLS, te.Hint)
		assert.Contains(t, err.Error(), "honua: GET "+srv.URL+"/api/v1/admin/capabilities: server unreachable: tls: failed to verify certificate")
		assert.Empty(t, sl.all(), "a certificate failure is not retried")
		assert.False(t, IsRetryable(err))
	})
}
