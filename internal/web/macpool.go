package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"sync"
	"sync/atomic"
)

// keyedMAC computes HMAC-SHA256 under one key without hmac.New's work
// on every call (two allocations of SHA-256 state and two blocks hashed
// for the key's inner and outer pads): states are kept in a pool, and a
// state that was used restores its pads from a copy. Every media request
// checks a signature, so this is on the hot path of every thumbnail.
type keyedMAC struct {
	key  []byte // the caller's slice: tells keys apart by identity (see macOf)
	pool sync.Pool
}

// macState is a pooled HMAC and its buffers: the message, and the sum
// (copied out, so that no caller's buffer goes through the hash.Hash
// interface and escapes to the heap).
type macState struct {
	h   hash.Hash
	msg []byte
	out []byte
}

// lastMAC is the keyedMAC of the key used last. A server's key is one
// slice for the life of the server (server.signingKey), so in practice
// this is always a hit.
var lastMAC atomic.Pointer[keyedMAC]

// macOf returns the keyedMAC of key: the one used last when key is the
// same slice, else a new one, which becomes the one used last.
func macOf(key []byte) *keyedMAC {
	if k := lastMAC.Load(); k != nil && sameSlice(k.key, key) {
		return k
	}
	k := &keyedMAC{key: key}
	k.pool.New = func() any {
		return &macState{h: hmac.New(sha256.New, key), msg: make([]byte, 0, 128), out: make([]byte, 0, sha256.Size)}
	}
	lastMAC.Store(k)
	return k
}

// sameSlice reports whether a and b are the same memory, not just equal.
func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && cap(a) == cap(b) && (len(a) == 0 || &a[0] == &b[0])
}

// sum appends to dst the MAC of parts, each followed by a zero byte.
func (k *keyedMAC) sum(dst []byte, parts ...string) []byte {
	st := k.pool.Get().(*macState)
	msg := st.msg[:0]
	for _, p := range parts {
		msg = append(msg, p...)
		msg = append(msg, 0)
	}
	st.h.Reset()
	st.h.Write(msg)
	st.out = st.h.Sum(st.out[:0])
	dst = append(dst, st.out...)
	st.msg = msg[:0]
	k.pool.Put(st)
	return dst
}
