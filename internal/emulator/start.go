package emulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// shutdownTimeout bounds a graceful shutdown.
const shutdownTimeout = 5 * time.Second

// Running is a Server listening on a real socket.
type Running struct {
	// URL is the base URL, http://HOST:PORT, without a trailing slash.
	URL string
	// Server is the emulator being served; use it to change faults.
	Server *Server

	httpServer *http.Server
	done       chan struct{}
	serveErr   error
	closeOnce  sync.Once
	closeErr   error

	// fresh holds connections that have not sent a request yet: a client
	// that dials ahead for concurrent reads leaves some, and Shutdown
	// would wait five seconds for each before treating it as idle.
	mu    sync.Mutex
	fresh map[net.Conn]bool
}

// trackConn records which connections have not carried a request yet.
func (r *Running) trackConn(c net.Conn, st http.ConnState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st == http.StateNew {
		r.fresh[c] = true
	} else {
		delete(r.fresh, c)
	}
}

// Start builds a Server from opts and serves it on opts.Listen
// (127.0.0.1:0 by default, which picks a free port). It stops when ctx ends
// or Close is called.
func Start(ctx context.Context, opts Options) (*Running, error) {
	srv, err := New(opts)
	if err != nil {
		return nil, err
	}
	listen := opts.Listen
	if listen == "" {
		listen = DefaultListenAddress
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", listen, err)
	}
	run := &Running{
		URL:    "http://" + ln.Addr().String(),
		Server: srv,
		httpServer: &http.Server{
			Handler:           srv,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slog.NewLogLogger(srv.log.Handler(), slog.LevelWarn),
		},
		done:  make(chan struct{}),
		fresh: map[net.Conn]bool{},
	}
	run.httpServer.ConnState = run.trackConn
	go func() {
		defer close(run.done)
		if err := run.httpServer.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			run.serveErr = err
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			_ = run.Close()
		case <-run.done:
		}
	}()
	return run, nil
}

// Close shuts the server down gracefully, waiting for in-flight requests
// for a few seconds, and returns once it has stopped. It is safe to call
// more than once.
func (r *Running) Close() error {
	r.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		r.httpServer.SetKeepAlivesEnabled(false)
		r.mu.Lock()
		for c := range r.fresh {
			_ = c.Close()
		}
		r.mu.Unlock()
		if err := r.httpServer.Shutdown(ctx); err != nil {
			r.closeErr = errors.Join(err, r.httpServer.Close())
		}
		<-r.done
	})
	return r.closeErr
}

// Wait blocks until the server has stopped (after Close or the end of the
// context given to Start) and its in-flight requests have finished, and
// returns the error that stopped it, if any.
func (r *Running) Wait() error {
	<-r.done
	closeErr := r.Close() // waits for a shutdown already in progress
	return errors.Join(r.serveErr, closeErr)
}
