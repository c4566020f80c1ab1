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

	driver "modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Store is a store.Store backed by SQLite.
type Store struct {
	write *sql.DB // one connection: SQLite has a single writer
	read  *sql.DB // readers never block the writer in WAL mode
	// Prepared statements by query text, per pool: preparing a statement
	// costs more than running it.
	writeStmts, readStmts stmtCache
}

// stmtCache holds a pool's prepared statements, by query text. They are
// prepared once when the store opens (a statement cannot be prepared on a
// busy single-connection pool); database/sql keeps each one prepared on
// every connection that runs it.
type stmtCache struct {
	db *sql.DB
	m  map[string]*sql.Stmt
}

func (c *stmtCache) prepare() error {
	c.m = make(map[string]*sql.Stmt, len(queries))
	for _, q := range queries {
		st, err := c.db.Prepare(q)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", q, err)
		}
		c.m[q] = st
	}
	return nil
}

func (c *stmtCache) close() {
	for _, st := range c.m {
		st.Close()
	}
}

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
	s := &Store{write: w, read: r, writeStmts: stmtCache{db: w}, readStmts: stmtCache{db: r}}
	if err := s.init(); err != nil {
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
	s := &Store{write: db, read: db, writeStmts: stmtCache{db: db}, readStmts: stmtCache{db: db}}
	if err := s.init(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.writeStmts.close()
	if s.read != s.write {
		s.readStmts.close()
	}
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// init brings the schema up to date and prepares the statements.
func (s *Store) init() error {
	if err := s.migrate(); err != nil {
		return err
	}
	if err := s.writeStmts.prepare(); err != nil {
		return err
	}
	if s.read == s.write {
		s.readStmts.m = s.writeStmts.m // one pool: share its statements
		return nil
	}
	return s.readStmts.prepare()
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

// Scopes implements store.Store.
func (s *Store) Scopes(ctx context.Context) ([]model.Scope, error) {
	st, ok := s.readStmts.m[qScopes]
	if !ok {
		return nil, fmt.Errorf("sqlite: query not in the prepared list: %s", qScopes)
	}
	rows, err := st.QueryContext(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Scope
	for rows.Next() {
		var sc model.Scope
		if err := rows.Scan(&sc.Account, &sc.Region); err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// View implements store.Store.
func (s *Store) View(ctx context.Context, scope model.Scope, fn func(store.ReadTx) error) error {
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(&txn{tx: tx, scope: scope, stmts: &s.readStmts})
}

// Update implements store.Store.
func (s *Store) Update(ctx context.Context, scope model.Scope, fn func(store.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(&txn{tx: tx, scope: scope, stmts: &s.writeStmts}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

type txn struct {
	tx    *sql.Tx
	scope model.Scope
	stmts *stmtCache
}

// stmt returns the transaction's handle on the prepared query.
func (t *txn) stmt(query string) (*sql.Stmt, error) {
	st, ok := t.stmts.m[query]
	if !ok {
		return nil, fmt.Errorf("sqlite: query not in the prepared list: %s", query)
	}
	return t.tx.Stmt(st), nil
}

// exec runs a statement whose first two parameters are the scope's account
// and region.
func (t *txn) exec(query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.Exec(append([]any{t.scope.Account, t.scope.Region}, args...)...)
}

// query runs a query whose first two parameters are the scope's account and
// region.
func (t *txn) query(query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.Query(append([]any{t.scope.Account, t.scope.Region}, args...)...)
}

// scanAll scans every row into a value of T with scan, and closes rows. The
// list is never nil: a listing of nothing is empty.
func scanAll[T any](rows *sql.Rows, err error, scan func(*sql.Rows, *T) error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// scanDoc scans a row of one JSON document column into v.
func scanDoc[T any](rows *sql.Rows, v *T) error {
	var raw []byte
	if err := rows.Scan(&raw); err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("sqlite: corrupt document: %w", err)
	}
	return nil
}

// docs scans rows of one JSON document column into values of T.
func docs[T any](rows *sql.Rows, err error) ([]T, error) {
	return scanAll(rows, err, scanDoc[T])
}

// one returns the single document a keyed query selects, or
// store.ErrNotFound.
func one[T any](rows *sql.Rows, err error) (T, error) {
	list, err := docs[T](rows, err)
	if err != nil {
		var zero T
		return zero, err
	}
	if len(list) == 0 {
		var zero T
		return zero, store.ErrNotFound
	}
	return list[0], nil
}

func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func (t *txn) RestAPI(id string) (model.RestAPI, error) {
	return one[model.RestAPI](t.query(qRestAPI, id))
}

// apiExists returns store.ErrNotFound unless the API exists in the scope.
func (t *txn) apiExists(id string) error { return t.exists(qRestAPIExists, id) }

// exists returns store.ErrNotFound unless query, a lookup by key, finds a
// row in the scope.
func (t *txn) exists(query string, args ...any) error {
	rows, err := t.query(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return store.ErrNotFound
	}
	return nil
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
	rows, err := t.query(qRestAPIs, after, limit)
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
	return docs[model.Resource](t.query(qResources, apiID))
}

func (t *txn) Resource(apiID, id string) (model.Resource, error) {
	return one[model.Resource](t.query(qResource, apiID, id))
}

func (t *txn) Deployment(apiID, id string) (model.Deployment, error) {
	return one[model.Deployment](t.query(qDeployment, apiID, id))
}

func (t *txn) Deployments(apiID string) ([]model.Deployment, error) {
	return docs[model.Deployment](t.query(qDeployments, apiID))
}

func (t *txn) Stage(apiID, name string) (model.Stage, error) {
	return one[model.Stage](t.query(qStage, apiID, name))
}

func (t *txn) Stages(apiID string) ([]model.Stage, error) {
	return docs[model.Stage](t.query(qStages, apiID))
}

func (t *txn) GatewayResponses(apiID string) (map[string]model.GatewayResponse, error) {
	list, err := docs[model.GatewayResponse](t.query(qGatewayResponses, apiID))
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
	rows, err := t.query(qTags, resource)
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
	if err := inserted(t.execDoc(qInsertRestAPI, api, api.ID)); err != nil {
		return err
	}
	_, err := t.execDoc(qInsertResource, root, api.ID, root.ID)
	return err
}

func (t *txn) PutRestAPI(api model.RestAPI) error {
	return affected(t.execDoc(qUpdateRestAPI, api, api.ID))
}

func (t *txn) DeleteRestAPI(id string) error {
	if err := affected(t.exec(qDeleteRestAPI, id)); err != nil {
		return err
	}
	prefix := "/restapis/" + id
	_, err := t.exec(qDeleteTagsUnder,
		prefix, len(prefix)+1, prefix+"/")
	return err
}

// PutResource is an upsert, not a REPLACE: the row keeps its rowid, so the
// resource keeps its place in creation order.
func (t *txn) PutResource(apiID string, r model.Resource) error {
	return t.upsertDoc(qPutResource, apiID, r.ID, r)
}

func (t *txn) DeleteResource(apiID, id string) error {
	return affected(t.exec(qDeleteResource, apiID, id))
}

func (t *txn) CreateDeployment(apiID string, d model.Deployment) error {
	return t.insertDoc(qInsertDeployment, apiID, d.ID, d)
}

func (t *txn) PutDeployment(apiID string, d model.Deployment) error {
	return t.updateDoc(qUpdateDeployment, apiID, d.ID, d)
}

func (t *txn) DeleteDeployment(apiID, id string) error {
	return affected(t.exec(qDeleteDeployment, apiID, id))
}

func (t *txn) CreateStage(apiID string, st model.Stage) error {
	return t.insertDoc(qInsertStage, apiID, st.Name, st)
}

func (t *txn) PutStage(apiID string, st model.Stage) error {
	return t.updateDoc(qUpdateStage, apiID, st.Name, st)
}

func (t *txn) DeleteStage(apiID, name string) error {
	return affected(t.exec(qDeleteStage, apiID, name))
}

func (t *txn) PutGatewayResponse(apiID string, gr model.GatewayResponse) error {
	return t.upsertDoc(qPutGatewayResponse, apiID, gr.Type, gr)
}

// The documents under an API (resources, deployments, stages, gateway
// responses) are written by one of three statements whose parameters are
// (scope, apiID, key, doc): an upsert, an insert that must not find the key
// taken (ErrExists), and an update that must find it (ErrNotFound). Writes
// that may create a row check the API first, so that a missing API is
// ErrNotFound rather than a foreign-key failure.

func (t *txn) upsertDoc(query, apiID, key string, v any) error {
	if err := t.apiExists(apiID); err != nil {
		return err
	}
	_, err := t.execDoc(query, v, apiID, key)
	return err
}

func (t *txn) insertDoc(query, apiID, key string, v any) error {
	if err := t.apiExists(apiID); err != nil {
		return err
	}
	return inserted(t.execDoc(query, v, apiID, key))
}

func (t *txn) updateDoc(query, apiID, key string, v any) error {
	return affected(t.execDoc(query, v, apiID, key))
}

// execDoc runs a statement whose parameters are the scope, then keys, then
// v's JSON document.
func (t *txn) execDoc(query string, v any, keys ...any) (sql.Result, error) {
	doc, err := encode(v)
	if err != nil {
		return nil, err
	}
	return t.exec(query, append(keys, doc)...)
}

func (t *txn) Authorizer(apiID, id string) (model.Authorizer, error) {
	return one[model.Authorizer](t.query(qAuthorizer, apiID, id))
}

func (t *txn) Authorizers(apiID string) ([]model.Authorizer, error) {
	return docs[model.Authorizer](t.query(qAuthorizers, apiID))
}

func (t *txn) CreateAuthorizer(apiID string, a model.Authorizer) error {
	return t.insertDoc(qInsertAuthorizer, apiID, a.ID, a)
}

func (t *txn) PutAuthorizer(apiID string, a model.Authorizer) error {
	return t.updateDoc(qUpdateAuthorizer, apiID, a.ID, a)
}

func (t *txn) DeleteAuthorizer(apiID, id string) error {
	return affected(t.exec(qDeleteAuthorizer, apiID, id))
}

func (t *txn) DeleteGatewayResponse(apiID, responseType string) error {
	return affected(t.exec(qDeleteGatewayResponse, apiID, responseType))
}

func (t *txn) TagResource(resource string, tags map[string]string) error {
	for k, v := range tags {
		if _, err := t.exec(qTagResource, resource, k, v); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) UntagResource(resource string, keys []string) error {
	for _, k := range keys {
		if _, err := t.exec(qUntagResource, resource, k); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) Model(apiID, name string) (model.Model, error) {
	return one[model.Model](t.query(qModel, apiID, name))
}

func (t *txn) Models(apiID string) ([]model.Model, error) {
	return docs[model.Model](t.query(qModels, apiID))
}

func (t *txn) CreateModel(apiID string, m model.Model) error {
	return t.insertDoc(qInsertModel, apiID, m.Name, m)
}

func (t *txn) PutModel(apiID string, m model.Model) error {
	return t.updateDoc(qUpdateModel, apiID, m.Name, m)
}

func (t *txn) DeleteModel(apiID, name string) error {
	return affected(t.exec(qDeleteModel, apiID, name))
}

func (t *txn) RequestValidator(apiID, id string) (model.RequestValidator, error) {
	return one[model.RequestValidator](t.query(qRequestValidator, apiID, id))
}

func (t *txn) RequestValidators(apiID string) ([]model.RequestValidator, error) {
	return docs[model.RequestValidator](t.query(qRequestValidators, apiID))
}

func (t *txn) CreateRequestValidator(apiID string, v model.RequestValidator) error {
	return t.insertDoc(qInsertRequestValidator, apiID, v.ID, v)
}

func (t *txn) PutRequestValidator(apiID string, v model.RequestValidator) error {
	return t.updateDoc(qUpdateRequestValidator, apiID, v.ID, v)
}

func (t *txn) DeleteRequestValidator(apiID, id string) error {
	return affected(t.exec(qDeleteRequestValidator, apiID, id))
}

func (t *txn) APIKey(id string) (model.APIKey, error) {
	return one[model.APIKey](t.query(qAPIKey, id))
}

func (t *txn) APIKeys() ([]model.APIKey, error) {
	return docs[model.APIKey](t.query(qAPIKeys))
}

func (t *txn) UsagePlan(id string) (model.UsagePlan, error) {
	return one[model.UsagePlan](t.query(qUsagePlan, id))
}

func (t *txn) UsagePlans() ([]model.UsagePlan, error) {
	return docs[model.UsagePlan](t.query(qUsagePlans))
}

func (t *txn) UsagePlanKeys(planID string) ([]string, error) {
	if err := t.exists(qUsagePlanExists, planID); err != nil {
		return nil, err
	}
	rows, err := t.query(qUsagePlanKeys, planID)
	return scanAll(rows, err, func(rows *sql.Rows, id *string) error { return rows.Scan(id) })
}

func (t *txn) Account() (model.Account, error) {
	return one[model.Account](t.query(qAccount))
}

func (t *txn) Usage(planID, keyID, from, to string) ([]model.DailyUsage, error) {
	rows, err := t.query(qUsage, planID, keyID, from, to)
	return scanAll(rows, err, func(rows *sql.Rows, u *model.DailyUsage) error {
		return rows.Scan(&u.KeyID, &u.Day, &u.Used, &u.Granted)
	})
}

// CreateAPIKey's insert does nothing when either the id or the value is
// taken, so both are ErrExists.
func (t *txn) CreateAPIKey(k model.APIKey) error {
	return inserted(t.execDoc(qInsertAPIKey, k, k.ID, k.Value))
}

// PutAPIKey gives ErrExists, too, when the new value is another key's.
func (t *txn) PutAPIKey(k model.APIKey) error {
	err := affected(t.execDoc(qUpdateAPIKey, k, k.ID, k.Value))
	var e *driver.Error
	if errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return store.ErrExists
	}
	return err
}

// DeleteAPIKey's memberships go by cascade; its usage records stay.
func (t *txn) DeleteAPIKey(id string) error {
	return affected(t.exec(qDeleteAPIKey, id))
}

func (t *txn) CreateUsagePlan(p model.UsagePlan) error {
	return inserted(t.execDoc(qInsertUsagePlan, p, p.ID))
}

func (t *txn) PutUsagePlan(p model.UsagePlan) error {
	return affected(t.execDoc(qUpdateUsagePlan, p, p.ID))
}

// DeleteUsagePlan's memberships and usage records go by cascade.
func (t *txn) DeleteUsagePlan(id string) error {
	return affected(t.exec(qDeleteUsagePlan, id))
}

// AddUsagePlanKey checks the plan and the key first, so that a missing one
// is ErrNotFound rather than a foreign-key failure.
func (t *txn) AddUsagePlanKey(planID, keyID string) error {
	if err := t.exists(qUsagePlanExists, planID); err != nil {
		return err
	}
	if err := t.exists(qAPIKeyExists, keyID); err != nil {
		return err
	}
	return inserted(t.exec(qAddUsagePlanKey, planID, keyID))
}

func (t *txn) RemoveUsagePlanKey(planID, keyID string) error {
	return affected(t.exec(qRemoveUsagePlanKey, planID, keyID))
}

func (t *txn) PutAccount(a model.Account) error {
	_, err := t.execDoc(qPutAccount, a)
	return err
}

// AddUsage's statement inserts nothing while the plan does not exist, so
// the records of a deleted plan are dropped.
func (t *txn) AddUsage(planID string, days []model.DailyUsage) error {
	for _, u := range days {
		if _, err := t.exec(qAddUsage, planID, u.KeyID, u.Day, u.Used, u.Granted); err != nil {
			return err
		}
	}
	return nil
}

// inserted turns "no row inserted" (an INSERT ... ON CONFLICT DO NOTHING
// that hit its key) into store.ErrExists.
func inserted(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrExists
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
