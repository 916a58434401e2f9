package notify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// testCert returns a self-signed certificate for 127.0.0.1 and localhost,
// and a pool trusting it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "localhost"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// smtpServer is an SMTP server on 127.0.0.1 for one session, recording
// what the client sends.
type smtpServer struct {
	addr     string
	startTLS bool
	cert     tls.Certificate
	done     chan struct{}

	mu       sync.Mutex
	commands []string
	auth     string // the decoded AUTH PLAIN response
	authTLS  bool   // whether AUTH came over TLS
	from     string
	rcpts    []string
	data     string
	dataTLS  bool
}

// startSMTP starts a server that offers STARTTLS when startTLS is set; the
// pool trusts its certificate.
func startSMTP(t *testing.T, startTLS bool) (*smtpServer, *x509.CertPool) {
	t.Helper()
	cert, pool := testCert(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &smtpServer{addr: ln.Addr().String(), startTLS: startTLS, cert: cert, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		s.serve(t, conn)
	}()
	return s, pool
}

// wait waits for the session to end.
func (s *smtpServer) wait(t *testing.T) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the SMTP session did not end")
	}
}

func (s *smtpServer) serve(t *testing.T, conn net.Conn) {
	tp := textproto.NewConn(conn)
	secure := false
	reply := func(lines ...string) {
		for _, l := range lines {
			if err := tp.PrintfLine("%s", l); err != nil {
				return
			}
		}
	}
	reply("220 localhost ESMTP test")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.commands = append(s.commands, line)
		s.mu.Unlock()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			reply("500 empty command")
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "EHLO", "HELO":
			ext := []string{"localhost"}
			if s.startTLS && !secure {
				ext = append(ext, "STARTTLS")
			}
			ext = append(ext, "AUTH PLAIN")
			for i, e := range ext {
				if i == len(ext)-1 {
					reply("250 " + e)
				} else {
					reply("250-" + e)
				}
			}
		case "STARTTLS":
			if !s.startTLS {
				reply("502 not offered")
				continue
			}
			reply("220 go ahead")
			tc := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{s.cert}})
			if err := tc.Handshake(); err != nil {
				t.Errorf("TLS handshake: %v", err)
				return
			}
			conn, tp, secure = tc, textproto.NewConn(tc), true
		case "AUTH":
			if len(fields) != 3 || strings.ToUpper(fields[1]) != "PLAIN" {
				reply("504 only AUTH PLAIN with an initial response")
				continue
			}
			dec, err := base64.StdEncoding.DecodeString(fields[2])
			if err != nil {
				reply("501 bad base64")
				continue
			}
			s.mu.Lock()
			s.auth, s.authTLS = string(dec), secure
			s.mu.Unlock()
			reply("235 2.7.0 authenticated")
		case "MAIL":
			s.mu.Lock()
			s.from = line
			s.mu.Unlock()
			reply("250 ok")
		case "RCPT":
			s.mu.Lock()
			s.rcpts = append(s.rcpts, line)
			s.mu.Unlock()
			reply("250 ok")
		case "DATA":
			reply("354 end with .")
			b, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.data, s.dataTLS = string(b), secure
			s.mu.Unlock()
			reply("250 queued")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("500 unknown command")
		}
	}
}

// silentSMTP returns the address of a server that accepts connections and
// never answers.
func silentSMTP(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
				_, _ = conn.Read(make([]byte, 1))
			}()
		}
	}()
	return ln.Addr().String()
}
