package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

func TestParseGenerationFlag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantGen    int
		wantServer string
		wantErr    string
	}{
		{name: "default is generation 1", args: []string{"--api-key", "k"}, wantGen: 0, wantServer: emulator.DefaultServerVersion},
		{name: "explicit 1", args: []string{"--api-key", "k", "--generation", "1"}, wantGen: 0, wantServer: emulator.DefaultServerVersion},
		{name: "2 reports the Gen2 server version", args: []string{"--api-key", "k", "--generation", "2"}, wantGen: 2, wantServer: emulator.DefaultServerVersionV2},
		{name: "2 keeps an explicit server version", args: []string{"--api-key", "k", "--generation", "2", "--server-version", "1.2.3"}, wantGen: 2, wantServer: "1.2.3"},
		{name: "3 is refused", args: []string{"--api-key", "k", "--generation", "3"}, wantErr: "`--generation`: generation 3: want 1 or 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseFlags(tt.args, io.Discard)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantGen, o.Generation)
			assert.Equal(t, tt.wantServer, o.ServerVersion)
		})
	}
}
