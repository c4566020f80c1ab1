// Package sqlite is Gantry's embedded store: a pure-Go SQLite database (no
// cgo) in WAL mode with synchronous=FULL, so every acknowledged write is on
// disk before the API answers, and survives kill -9 or power loss.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync/atomic"

	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/store"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Store is a store.Store backed by SQLite.
type Store struct {
	write *sql.DB // one connection: SQLite has a single writer
	read  *sql.DB // readers never block the writer in WAL mode
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path and brings its
// schema up to date.
func Open(path string) (*Store, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)"
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	s := &Store{write: w, read: r}
	if err := s.migrate(); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return s, nil
}

var memSeq atomic.Int64

// OpenMemory opens a fresh in-memory database, for throwaway runs and tests.
// Its contents vanish when the store is closed.
func OpenMemory() (*Store, error) {
	name := "gantry-mem-" + strconv.FormatInt(memSeq.Add(1), 10)
	db, err := sql.Open("sqlite", "file:"+name+"?mode=memory&cache=shared&_pragma=foreign_keys(1)")
	if err != nil {
		return nil, err
	}
	// One connection that never closes: the database lives as long as it.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	s := &Store{write: db, read: db}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

func (s *Store) migrate() error {
	var version int
	if err := s.write.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this Gantry (%d)", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		tx, err := s.write.Begin()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		if _, err := tx.Exec("PRAGMA user_version = " + strconv.Itoa(i+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// View implements store.Store.
func (s *Store) View(ctx context.Context, scope model.Scope, fn func(store.ReadTx) error) error {
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(&txn{tx: tx, scope: scope})
}

// Update implements store.Store.
func (s *Store) Update(ctx context.Context, scope model.Scope, fn func(store.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(&txn{tx: tx, scope: scope}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

type txn struct {
	tx    *sql.Tx
	scope model.Scope
}

func (t *txn) exec(query string, args ...any) (sql.Result, error) {
	return t.tx.Exec(query, append([]any{t.scope.Account, t.scope.Region}, args...)...)
}

func (t *txn) query(query string, args ...any) (*sql.Rows, error) {
	return t.tx.Query(query, append([]any{t.scope.Account, t.scope.Region}, args...)...)
}

// docs scans rows of one JSON document column into values of T.
func docs[T any](rows *sql.Rows, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var raw []byte
		var v T
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, fmt.Errorf("sqlite: corrupt document: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func (t *txn) RestAPI(id string) (model.RestAPI, error) {
	apis, err := docs[model.RestAPI](t.query(`SELECT doc FROM rest_apis WHERE account=? AND region=? AND id=?`, id))
	if err != nil {
		return model.RestAPI{}, err
	}
	if len(apis) == 0 {
		return model.RestAPI{}, store.ErrNotFound
	}
	return apis[0], nil
}

func (t *txn) RestAPIs(p store.Page) ([]model.RestAPI, string, error) {
	after := int64(0)
	if p.Position != "" {
		n, err := strconv.ParseInt(p.Position, 36, 64)
		if err != nil || n < 0 {
			return nil, "", store.ErrBadPosition
		}
		after = n
	}
	limit := int64(-1)
	if p.Limit > 0 {
		limit = int64(p.Limit) + 1 // one more, to know whether a next page exists
	}
	rows, err := t.query(`SELECT seq, doc FROM rest_apis WHERE account=? AND region=? AND seq>? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var (
		apis []model.RestAPI
		seqs []int64
	)
	for rows.Next() {
		var seq int64
		var raw []byte
		if err := rows.Scan(&seq, &raw); err != nil {
			return nil, "", err
		}
		var a model.RestAPI
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, "", fmt.Errorf("sqlite: corrupt document: %w", err)
		}
		apis, seqs = append(apis, a), append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if p.Limit > 0 && len(apis) > p.Limit {
		apis = apis[:p.Limit]
		next = strconv.FormatInt(seqs[p.Limit-1], 36)
	}
	return apis, next, nil
}

func (t *txn) Resources(apiID string) ([]model.Resource, error) {
	return docs[model.Resource](t.query(`SELECT doc FROM resources WHERE account=? AND region=? AND api_id=? ORDER BY rowid`, apiID))
}

func (t *txn) GatewayResponses(apiID string) (map[string]model.GatewayResponse, error) {
	list, err := docs[model.GatewayResponse](t.query(`SELECT doc FROM gateway_responses WHERE account=? AND region=? AND api_id=?`, apiID))
	if err != nil {
		return nil, err
	}
	m := make(map[string]model.GatewayResponse, len(list))
	for _, gr := range list {
		m[gr.Type] = gr
	}
	return m, nil
}

func (t *txn) Tags(resource string) (map[string]string, error) {
	rows, err := t.query(`SELECT key, value FROM tags WHERE account=? AND region=? AND resource=?`, resource)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tags := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		tags[k] = v
	}
	return tags, rows.Err()
}

func (t *txn) CreateRestAPI(api model.RestAPI, root model.Resource) error {
	doc, err := encode(api)
	if err != nil {
		return err
	}
	res, err := t.exec(`INSERT INTO rest_apis (account, region, id, doc) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, api.ID, doc)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrExists
	}
	rdoc, err := encode(root)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO resources (account, region, api_id, id, doc) VALUES (?, ?, ?, ?, ?)`, api.ID, root.ID, rdoc)
	return err
}

func (t *txn) PutRestAPI(api model.RestAPI) error {
	doc, err := encode(api)
	if err != nil {
		return err
	}
	return affected(t.tx.Exec(`UPDATE rest_apis SET doc=? WHERE account=? AND region=? AND id=?`,
		doc, t.scope.Account, t.scope.Region, api.ID))
}

func (t *txn) DeleteRestAPI(id string) error {
	if err := affected(t.exec(`DELETE FROM rest_apis WHERE account=? AND region=? AND id=?`, id)); err != nil {
		return err
	}
	prefix := "/restapis/" + id
	_, err := t.exec(`DELETE FROM tags WHERE account=? AND region=? AND (resource=? OR substr(resource, 1, ?)=?)`,
		prefix, len(prefix)+1, prefix+"/")
	return err
}

func (t *txn) PutGatewayResponse(apiID string, gr model.GatewayResponse) error {
	doc, err := encode(gr)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO gateway_responses (account, region, api_id, response_type, doc) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account, region, api_id, response_type) DO UPDATE SET doc=excluded.doc`, apiID, gr.Type, doc)
	return err
}

func (t *txn) DeleteGatewayResponse(apiID, responseType string) error {
	return affected(t.exec(`DELETE FROM gateway_responses WHERE account=? AND region=? AND api_id=? AND response_type=?`, apiID, responseType))
}

func (t *txn) TagResource(resource string, tags map[string]string) error {
	for k, v := range tags {
		if _, err := t.exec(`INSERT INTO tags (account, region, resource, key, value) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account, region, resource, key) DO UPDATE SET value=excluded.value`, resource, k, v); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) UntagResource(resource string, keys []string) error {
	for _, k := range keys {
		if _, err := t.exec(`DELETE FROM tags WHERE account=? AND region=? AND resource=? AND key=?`, resource, k); err != nil {
			return err
		}
	}
	return nil
}

// affected turns "no row changed" into store.ErrNotFound.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}
