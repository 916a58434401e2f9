// Package interrupt turns SIGINT and SIGTERM into a graceful stop for work
// that can stop between steps (an apply), and into cancellation for
// everything else.
//
// While work is guarded, the first signal closes its stop channel and
// starts a grace period; the work finishes what is in flight and records
// it. A second signal, or the end of the grace period, cancels the context
// at once. With nothing guarded, the first signal cancels.
package interrupt

import (
	"context"
	"os"
	"sync"
	"time"
)

// DefaultGrace bounds how long in-flight work may take after the first
// signal.
const DefaultGrace = 30 * time.Second

// Controller routes signals to the guarded work or the context.
type Controller struct {
	cancel context.CancelFunc
	grace  time.Duration
	notice func(string)

	mu      sync.Mutex
	guarded int
	signals int
	stop    chan struct{}
	timer   *time.Timer
}

// New returns a context that the controller cancels, and the controller.
// notice receives what people should know ("finishing in-flight writes").
func New(parent context.Context, grace time.Duration, notice func(string)) (context.Context, *Controller) {
	ctx, cancel := context.WithCancel(parent)
	if grace <= 0 {
		grace = DefaultGrace
	}
	if notice == nil {
		notice = func(string) {}
	}
	return ctx, &Controller{cancel: cancel, grace: grace, notice: notice, stop: make(chan struct{})}
}

// Guard marks work that stops gracefully; it returns the channel closed by
// the first signal and a release func. A nil Controller guards nothing
// (the channel never closes).
func (c *Controller) Guard() (<-chan struct{}, func()) {
	if c == nil {
		return nil, func() {}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.guarded++
	var once sync.Once
	return c.stop, func() {
		once.Do(func() {
			c.mu.Lock()
			c.guarded--
			c.mu.Unlock()
		})
	}
}

// Signal handles one received signal.
func (c *Controller) Signal() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.signals++
	if c.signals == 1 && c.guarded > 0 {
		close(c.stop)
		c.notice("interrupt: starting no new writes; finishing the ones in flight, then recording what landed and releasing the environment (up to " +
			c.grace.String() + "). Press Ctrl-C again to stop at once.")
		c.timer = time.AfterFunc(c.grace, func() {
			c.notice("interrupt: grace period over; stopping now, still recording what landed")
			c.cancel()
		})
		return
	}
	if c.signals > 1 && c.guarded > 0 {
		c.notice("interrupt: stopping now; still recording what landed and releasing the environment")
	}
	c.cancel()
}

// Watch handles signals from ch until it is closed or ctx ends.
func (c *Controller) Watch(ctx context.Context, ch <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-ch:
			if !ok {
				return
			}
			c.Signal()
		}
	}
}

// Close stops the grace timer and cancels the context.
func (c *Controller) Close() {
	c.mu.Lock()
	if c.timer != nil {
		c.timer.Stop()
	}
	c.mu.Unlock()
	c.cancel()
}
