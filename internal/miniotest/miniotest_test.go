package miniotest

import (
	"net/http"
	"testing"
)

func live(s Server) bool {
	resp, err := http.Get("http://" + s.Endpoint + "/minio/health/live")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func TestStopRestart(t *testing.T) {
	s := Start(t)
	if !live(s) {
		t.Fatalf("server at %s not live after Start", s.Endpoint)
	}
	s.Stop()
	if live(s) {
		t.Fatalf("server at %s still live after Stop", s.Endpoint)
	}
	s.Stop() // a second Stop does nothing
	s.Restart()
	if !live(s) {
		t.Fatalf("server at %s not live after Restart", s.Endpoint)
	}
}
