package idp

import (
	"bytes"
	"context"
	"sync"

	"github.com/cognitod/cognitod/internal/store"
)

// poolCache keeps decoded pool documents for the user operations, which read
// a pool on every request and never change it. Decoding a pool's JSON (its
// schema alone has some twenty attributes) costs more than the rest of an
// AdminGetUser, so the decoded pool is reused while the stored bytes are the
// same. The store is still read on every call: another process sharing the
// database may have changed or deleted the pool, and comparing a few kilobytes
// is cheap next to decoding them.
type poolCache struct {
	mu    sync.RWMutex
	pools map[string]cachedPool
}

type cachedPool struct {
	doc     []byte
	version int64
	p       *pool
}

// maxCachedPools bounds the cache; past it the cache starts again empty,
// which is simple and fine for the few pools a deployment has.
const maxCachedPools = 1024

func (c *poolCache) get(id string, doc []byte) (*pool, bool) {
	c.mu.RLock()
	e, ok := c.pools[id]
	c.mu.RUnlock()
	if ok && bytes.Equal(e.doc, doc) {
		return e.p, true
	}
	return nil, false
}

func (c *poolCache) put(id string, doc []byte, version int64, p *pool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pools == nil || len(c.pools) >= maxCachedPools {
		c.pools = make(map[string]cachedPool)
	}
	c.pools[id] = cachedPool{doc: bytes.Clone(doc), version: version, p: p}
}

// last returns the pool as last read, without asking the store.
func (c *poolCache) last(id string) (*pool, int64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.pools[id]
	return e.p, e.version, ok
}

// poolView loads a pool for reading. The result is shared between requests:
// callers must not change it (use getPool for a private copy). It asks the
// store only for the pool's version (a key lookup) and reads the document
// when that version is not the one this process has decoded: pools change
// rarely, and reading a document of several pages on every sign-in cost
// more than the lookup.
func (s *Service) poolView(ctx context.Context, id string) (*pool, error) {
	v, err := s.Store.UserPoolVersion(ctx, id)
	if isNotFound(err) {
		return nil, poolNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	if p, cached, ok := s.pools.last(id); ok && cached == v {
		return p, nil
	}
	rec, err := s.Store.GetUserPool(ctx, id)
	if isNotFound(err) {
		return nil, poolNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	if p, ok := s.pools.get(id, rec.Doc); ok {
		s.pools.put(id, rec.Doc, rec.Version, p)
		return p, nil
	}
	p, err := decodePool(rec)
	if err != nil {
		return nil, err
	}
	s.pools.put(id, rec.Doc, rec.Version, p)
	return p, nil
}

// poolForWrite returns the pool as this process last read it, and its
// version, without reading the store; the first time it reads it. For
// operations that create a user: they pass the version to the store
// (store.User.PoolVersion), which refuses the write if the pool changed
// meanwhile (store.ErrStalePool), and then read the pool again and retry. So
// a write is never made under stale settings, and the common case costs no
// read of the pool's document.
func (s *Service) poolForWrite(ctx context.Context, id string, fresh bool) (*pool, int64, error) {
	if !fresh {
		if p, v, ok := s.pools.last(id); ok {
			return p, v, nil
		}
	}
	rec, err := s.Store.GetUserPool(ctx, id)
	if isNotFound(err) {
		return nil, 0, poolNotFound(id)
	}
	if err != nil {
		return nil, 0, err
	}
	if p, ok := s.pools.get(id, rec.Doc); ok {
		s.pools.put(id, rec.Doc, rec.Version, p)
		return p, rec.Version, nil
	}
	p, err := decodePool(rec)
	if err != nil {
		return nil, 0, err
	}
	s.pools.put(id, rec.Doc, rec.Version, p)
	return p, rec.Version, nil
}

// namingPool returns the part of a pool that decides how its users are named
// and found: UsernameConfiguration, UsernameAttributes and AliasAttributes.
// Cognito fixes them when the pool is created (UpdateUserPool has no member
// for them), so once read they are cached without asking the store again —
// also with several processes sharing the database, since a pool id is never
// reused. Only the methods about names, aliases and search values may be
// called on the result. It does not prove that the pool still exists: callers
// that find no user check that with checkPoolExists.
func (s *Service) namingPool(ctx context.Context, id string) (*pool, error) {
	s.naming.mu.RLock()
	p, ok := s.naming.pools[id]
	s.naming.mu.RUnlock()
	if ok {
		return p, nil
	}
	full, err := s.poolView(ctx, id)
	if err != nil {
		return nil, err
	}
	p = &pool{}
	p.Type.UsernameConfiguration = full.Type.UsernameConfiguration
	p.Type.UsernameAttributes = full.Type.UsernameAttributes
	p.Type.AliasAttributes = full.Type.AliasAttributes
	s.naming.mu.Lock()
	if s.naming.pools == nil || len(s.naming.pools) >= maxCachedPools {
		s.naming.pools = make(map[string]*pool)
	}
	s.naming.pools[id] = p
	s.naming.mu.Unlock()
	return p, nil
}

// namingCache holds namingPool's results.
type namingCache struct {
	mu    sync.RWMutex
	pools map[string]*pool
}

// clientCache keeps decoded app clients, as poolCache keeps pools: every
// sign-in and token check reads its client, and decoding the document costs
// more than reading it. An entry is used only while the stored bytes are
// the same.
type clientCache struct {
	mu      sync.RWMutex
	clients map[string]cachedClient
}

type cachedClient struct {
	doc []byte
	c   *appClient
}

// clientView turns a stored client into an appClient, decoding it only when
// its document changed since this process last did. The result is shared:
// callers must not change it.
func (s *Service) clientView(rec store.Client) (*appClient, error) {
	key := rec.PoolID + "/" + rec.ClientID
	s.clients.mu.RLock()
	e, ok := s.clients.clients[key]
	s.clients.mu.RUnlock()
	if ok && bytes.Equal(e.doc, rec.Doc) && e.c.Name == rec.Name {
		return e.c, nil
	}
	c, err := newAppClient(rec)
	if err != nil {
		return nil, err
	}
	s.clients.mu.Lock()
	if s.clients.clients == nil || len(s.clients.clients) >= 8*maxCachedPools {
		s.clients.clients = make(map[string]cachedClient)
	}
	s.clients.clients[key] = cachedClient{doc: bytes.Clone(rec.Doc), c: c}
	s.clients.mu.Unlock()
	return c, nil
}
