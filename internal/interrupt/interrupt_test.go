package interrupt

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestSignals(t *testing.T) {
	t.Run("unguarded: the first signal cancels", func(t *testing.T) {
		ctx, c := New(context.Background(), time.Hour, nil)
		defer c.Close()
		c.Signal()
		require.Error(t, ctx.Err())
	})
	t.Run("guarded: the first stops, the second cancels", func(t *testing.T) {
		var notes []string
		ctx, c := New(context.Background(), time.Hour, func(s string) { notes = append(notes, s) })
		defer c.Close()
		stop, release := c.Guard()
		defer release()
		c.Signal()
		assert.True(t, closed(stop))
		assert.NoError(t, ctx.Err(), "in-flight work keeps its context")
		c.Signal()
		assert.Error(t, ctx.Err())
		require.Len(t, notes, 2)
		assert.Contains(t, notes[0], "Press Ctrl-C again")
	})
	t.Run("guarded: the grace period ends in cancellation", func(t *testing.T) {
		ctx, c := New(context.Background(), 20*time.Millisecond, nil)
		defer c.Close()
		_, release := c.Guard()
		defer release()
		c.Signal()
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("grace period did not cancel")
		}
	})
	t.Run("released: back to cancelling at once", func(t *testing.T) {
		ctx, c := New(context.Background(), time.Hour, nil)
		defer c.Close()
		_, release := c.Guard()
		release()
		release()
		c.Signal()
		assert.Error(t, ctx.Err())
	})
	t.Run("a nil controller guards nothing", func(t *testing.T) {
		var c *Controller
		stop, release := c.Guard()
		release()
		assert.Nil(t, stop)
	})
}
