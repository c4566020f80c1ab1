package controlplane

import (
	"bytes"
	"crypto/rand"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gantryproject/gantry/internal/awserr"
	"github.com/gantryproject/gantry/internal/ids"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/patch"
	"github.com/gantryproject/gantry/internal/store"
)

// API key values: AWS generates 40 alphanumeric characters; a value given
// must have at least 20 (and, in an imported key file, at most 128: AWS's
// "API Gateway API key file format").
const (
	generatedKeyLength = 40
	minKeyLength       = 20
	maxKeyLength       = 128
	maxKeyNameLength   = 1024
	keyValueAlphabet   = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// apiKeyPaths is UpdateApiKey's PATCH grammar, from AWS's "PATCH operations"
// reference. /labels, also listed there, matches no member of the ApiKey
// shape and is not served.
var apiKeyPaths = pathRules{
	{"/customerId", []patch.Op{patch.Replace}},
	{"/description", []patch.Op{patch.Replace}},
	{"/enabled", []patch.Op{patch.Replace}},
	{"/name", []patch.Op{patch.Replace}},
	{"/stages", []patch.Op{patch.Add, patch.Remove}},
}

// apiKeyJSON is the wire form of the ApiKey shape. As AWS records show
// (LocalStack's snapshot of TestApigatewayApiKeysCrud), enabled, the dates
// and stageKeys are always present, stageKeys as [] when empty; value only
// when asked for.
type apiKeyJSON struct {
	ID              string            `json:"id"`
	Value           string            `json:"value,omitempty"`
	Name            string            `json:"name,omitempty"`
	CustomerID      string            `json:"customerId,omitempty"`
	Description     string            `json:"description,omitempty"`
	Enabled         bool              `json:"enabled"`
	CreatedDate     int64             `json:"createdDate"`
	LastUpdatedDate int64             `json:"lastUpdatedDate"`
	StageKeys       []string          `json:"stageKeys"`
	Tags            map[string]string `json:"tags,omitzero"`
}

// apiKeyOut renders a key, with its value if withValue. emptyTags shows
// "tags": {} for a key without tags, as UpdateApiKey's answer does.
func apiKeyOut(k model.APIKey, tags map[string]string, withValue, emptyTags bool) apiKeyJSON {
	out := apiKeyJSON{
		ID:              k.ID,
		Name:            k.Name,
		CustomerID:      k.CustomerID,
		Description:     k.Description,
		Enabled:         k.Enabled,
		CreatedDate:     k.CreatedDate.Unix(),
		LastUpdatedDate: k.LastUpdatedDate.Unix(),
		StageKeys:       k.StageKeys,
		Tags:            tagsOut(tags, emptyTags),
	}
	if out.StageKeys == nil {
		out.StageKeys = []string{}
	}
	if withValue {
		out.Value = k.Value
	}
	return out
}

// apiKeyResource is the tag/ARN resource path of an API key.
func apiKeyResource(id string) string { return "/apikeys/" + id }

// apiKeyNotFound is AWS's answer for an unknown API key id (moto's
// ApiKeyNotFoundException; recorded from AWS in public reports).
func apiKeyNotFound() error { return awserr.NotFound("Invalid API Key identifier specified") }

// apiKeyExists is AWS's answer for a value another key has (moto's
// ApiKeyAlreadyExists; recorded from AWS: serverless-add-api-key issue 27,
// "API Key already exists (... Status Code: 409; Error Code:
// ConflictException").
func apiKeyExists() error { return awserr.Conflict("API Key already exists") }

func loadAPIKey(tx store.ReadTx, id string) (model.APIKey, error) {
	k, err := tx.APIKey(id)
	return k, notFoundAs(err, apiKeyNotFound())
}

// newKeyValue returns a value of AWS's generated form: 40 letters and digits.
func newKeyValue() string {
	b := make([]byte, generatedKeyLength)
	rand.Read(b)
	for i := range b {
		// 256 % 62 != 0 leaves a slight bias, irrelevant here.
		b[i] = keyValueAlphabet[int(b[i])%len(keyValueAlphabet)]
	}
	return string(b)
}

// newAPIKeyID returns an id of AWS's API key form (10 characters).
func newAPIKeyID() string { return ids.New(10) }

// createAPIKey stores a new key under a fresh id. A value another key has
// is refused as AWS refuses it.
func createAPIKey(tx store.Tx, k *model.APIKey) error {
	for {
		k.ID = newAPIKeyID()
		err := tx.CreateAPIKey(*k)
		if !errors.Is(err, store.ErrExists) {
			return err
		}
		// The id or the value is taken: only the value is the caller's.
		if _, err := tx.APIKey(k.ID); errors.Is(err, store.ErrNotFound) {
			return apiKeyExists()
		} else if err != nil {
			return err
		}
	}
}

// parseStageKey splits a stage key, "{restApiId}/{stageName}". AWS's text
// for a malformed one is unrecorded.
func parseStageKey(s string) (apiID, stage string, err error) {
	apiID, stage, ok := strings.Cut(s, "/")
	if !ok || apiID == "" || stage == "" {
		return "", "", awserr.BadRequest("Invalid stage key specified: %s", s)
	}
	return apiID, stage, nil
}

// checkStageKey checks that a stage key names an existing stage, with the
// API's and the stage's own not-found answers.
func checkStageKey(tx store.ReadTx, scope model.Scope, key string) error {
	apiID, stage, err := parseStageKey(key)
	if err != nil {
		return err
	}
	_, err = loadAPIStage(tx, scope, apiID, stage)
	return err
}

type stageKeyJSON struct {
	RestAPIID string `json:"restApiId"`
	StageName string `json:"stageName"`
}

type createAPIKeyInput struct {
	Name               *string           `json:"name"`
	Description        *string           `json:"description"`
	Enabled            bool              `json:"enabled"`
	GenerateDistinctID bool              `json:"generateDistinctId"`
	Value              *string           `json:"value"`
	StageKeys          []stageKeyJSON    `json:"stageKeys"`
	CustomerID         *string           `json:"customerId"`
	Tags               map[string]string `json:"tags"`
}

// createAPIKeyOp serves CreateApiKey. Keys are disabled unless asked
// otherwise, as on AWS; generateDistinctId is deprecated and ignored (ids
// and values are always distinct).
func (h *Handler) createAPIKeyOp(c *call) (any, error) {
	var in createAPIKeyInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	now := h.now()
	k := model.APIKey{
		Value:           newKeyValue(),
		Name:            deref(in.Name),
		Description:     deref(in.Description),
		CustomerID:      deref(in.CustomerID),
		Enabled:         in.Enabled,
		CreatedDate:     now,
		LastUpdatedDate: now,
	}
	if in.Value != nil {
		// Text: moto's ApiKeyValueMinLength.
		if len(*in.Value) < minKeyLength {
			return nil, awserr.BadRequest("API Key value should be at least 20 characters")
		}
		k.Value = *in.Value
	}
	for _, sk := range in.StageKeys {
		if key := sk.RestAPIID + "/" + sk.StageName; !slices.Contains(k.StageKeys, key) {
			k.StageKeys = append(k.StageKeys, key)
		}
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	err := h.usageTx(c, func(tx store.Tx) error {
		for _, sk := range k.StageKeys {
			if err := checkStageKey(tx, c.scope, sk); err != nil {
				return err
			}
		}
		if err := createAPIKey(tx, &k); err != nil {
			return err
		}
		return tx.TagResource(apiKeyResource(k.ID), in.Tags)
	})
	if err != nil {
		return nil, err
	}
	return apiKeyOut(k, in.Tags, true, false), nil
}

// getAPIKey serves GetApiKey: the value only with includeValue=true.
func (h *Handler) getAPIKey(c *call) (any, error) {
	var out apiKeyJSON
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		k, err := loadAPIKey(tx, c.params["api_Key"])
		if err != nil {
			return err
		}
		tags, err := tx.Tags(apiKeyResource(k.ID))
		out = apiKeyOut(k, tags, c.boolQuery("includeValue"), false)
		return err
	})
	return out, err
}

type apiKeysJSON struct {
	Position string       `json:"position,omitempty"`
	Items    []apiKeyJSON `json:"item"`
}

// newestFirst returns list reversed: AWS lists API keys and usage-plan keys
// newest first (recorded: LocalStack's snapshots of GetApiKeys and
// GetUsagePlanKeys; LocalStack reverses its list to match).
func newestFirst[T any](list []T) []T {
	list = slices.Clone(list)
	slices.Reverse(list)
	return list
}

func apiKeyID(k model.APIKey) string { return k.ID }

// getAPIKeys serves GetApiKeys: newest first, limit at a time, filtered by
// name prefix (name; case-sensitive, as recorded) and customerId, values
// only with includeValues=true. The position is the id of the next page's
// first key.
func (h *Handler) getAPIKeys(c *call) (any, error) {
	limit, err := c.limit()
	if err != nil {
		return nil, err
	}
	prefix, customer := c.query.Get("name"), c.query.Get("customerId")
	withValues := c.boolQuery("includeValues")
	out := apiKeysJSON{Items: []apiKeyJSON{}}
	err = h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		all, err := tx.APIKeys()
		if err != nil {
			return err
		}
		all = slices.DeleteFunc(newestFirst(all), func(k model.APIKey) bool {
			return !strings.HasPrefix(k.Name, prefix) || customer != "" && k.CustomerID != customer
		})
		page, next, err := pageByID(all, apiKeyID, c.query.Get("position"), limit)
		if err != nil {
			return err
		}
		out.Position = next
		out.Items, err = withTags(tx, page, func(k model.APIKey) string { return apiKeyResource(k.ID) },
			func(k model.APIKey, tags map[string]string) apiKeyJSON { return apiKeyOut(k, tags, withValues, false) })
		return err
	})
	return out, err
}

// updateAPIKey serves UpdateApiKey: AWS's PATCH reference for ApiKey. The
// answer leaves out the value and shows "tags": {} for a key without tags
// (what LocalStack does for AWS parity).
func (h *Handler) updateAPIKey(c *call) (any, error) {
	return h.usagePatch(c, "updateApiKeyInput", func(tx store.Tx, ops []patch.Operation) (any, error) {
		k, err := loadAPIKey(tx, c.params["api_Key"])
		if err != nil {
			return nil, err
		}
		for _, o := range ops {
			if err := patchAPIKey(tx, c.scope, &k, o); err != nil {
				return nil, err
			}
		}
		k.LastUpdatedDate = h.now()
		if err := tx.PutAPIKey(k); err != nil {
			return nil, err
		}
		tags, err := tx.Tags(apiKeyResource(k.ID))
		return apiKeyOut(k, tags, false, true), err
	})
}

// patchAPIKey applies one operation. /stages takes "{restApiId}/{stageName}"
// values; an added one must name an existing stage.
func patchAPIKey(tx store.ReadTx, scope model.Scope, k *model.APIKey, o patch.Operation) error {
	op, _, value, err := opTarget(o)
	if err != nil {
		return err
	}
	path := *o.Path
	if err := apiKeyPaths.check(op, path, path); err != nil {
		return err
	}
	switch path {
	case "/customerId":
		k.CustomerID = value
	case "/description":
		k.Description = value
	case "/enabled":
		k.Enabled = opBool(o)
	case "/name":
		k.Name = value
	case "/stages":
		if op == patch.Add {
			if err := checkStageKey(tx, scope, value); err != nil {
				return err
			}
		}
		return patchListEntry(&k.StageKeys, op, value)
	}
	return nil
}

// deleteAPIKey serves DeleteApiKey; the key leaves its usage plans.
func (h *Handler) deleteAPIKey(c *call) (any, error) {
	id := c.params["api_Key"]
	return nil, h.usageTx(c, func(tx store.Tx) error {
		err := tx.DeleteAPIKey(id)
		if errors.Is(err, store.ErrNotFound) {
			return apiKeyNotFound()
		}
		if err != nil {
			return err
		}
		return untagAll(tx, apiKeyResource(id))
	})
}

// keyFileRow is one API key of an imported key file.
type keyFileRow struct {
	line               int
	name, value, descr string
	enabled            bool
	planIDs            []string
}

// problem returns the warning for a row that cannot be imported, or "".
// The limits are AWS's ("API Gateway API key file format"); the texts are
// Gantry's.
func (r keyFileRow) problem() string {
	if n := len(r.value); n < minKeyLength || n > maxKeyLength {
		return fmt.Sprintf("Invalid API key value at line %d: an API key value must be between 20 and 128 characters", r.line)
	}
	if len(r.name) > maxKeyNameLength {
		return fmt.Sprintf("Invalid API key name at line %d: an API key name cannot exceed 1024 characters", r.line)
	}
	return ""
}

// parseKeyFile reads an API key file as AWS documents it ("API Gateway API
// key file format"): CSV whose header names the columns, case-insensitively
// and in any order. Name and Key are required; Description, Enabled (true
// when absent or empty) and UsagePlanIds (comma-separated ids, quoted with
// double or single quotes when there are several) are optional; other
// columns are ignored.
func parseKeyFile(body []byte) ([]keyFileRow, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, keyFileError(err)
	}
	cols := map[string]int{}
	for i, h := range header {
		if name := strings.ToLower(strings.TrimSpace(h)); name != "" {
			if _, dup := cols[name]; !dup {
				cols[name] = i
			}
		}
	}
	// Text: recorded from AWS for a file without a Key column (boto3 issue
	// 1280); the same form for Name.
	for _, required := range []string{"Key", "Name"} {
		if _, ok := cols[strings.ToLower(required)]; !ok {
			return nil, awserr.BadRequest("Missing required column '%s'", required)
		}
	}
	var rows []keyFileRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, keyFileError(err)
		}
		line, _ := r.FieldPos(0)
		rec = joinSingleQuoted(rec)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		field := func(name string) string {
			if i, ok := cols[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row := keyFileRow{line: line, value: field("key"), name: field("name"), descr: field("description")}
		enabled := field("enabled")
		row.enabled = enabled == "" || strings.EqualFold(enabled, "true")
		for _, id := range strings.Split(strings.Trim(field("usageplanids"), `'"`), ",") {
			if id = strings.TrimSpace(id); id != "" && !slices.Contains(row.planIDs, id) {
				row.planIDs = append(row.planIDs, id)
			}
		}
		rows = append(rows, row)
	}
}

// keyFileError reports a key file that is not CSV (Gantry's text).
func keyFileError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return awserr.BadRequest("Invalid API key file: malformed CSV at line %d", pe.Line)
	}
	return awserr.BadRequest("Invalid API key file")
}

// joinSingleQuoted rejoins a field quoted with single quotes that CSV split
// at its commas ('c7y23b,glvrsr'), which AWS's key file format allows.
func joinSingleQuoted(rec []string) []string {
	var out []string
	for i := 0; i < len(rec); i++ {
		f := rec[i]
		t := strings.TrimSpace(f)
		if strings.HasPrefix(t, "'") && (len(t) == 1 || !strings.HasSuffix(t, "'")) {
			for i+1 < len(rec) {
				i++
				f += "," + rec[i]
				if strings.HasSuffix(strings.TrimSpace(rec[i]), "'") {
					break
				}
			}
		}
		out = append(out, f)
	}
	return out
}

type apiKeyIDsJSON struct {
	IDs      []string `json:"ids"`
	Warnings []string `json:"warnings,omitempty"`
}

// importAPIKeys serves ImportApiKeys (POST /apikeys?mode=import&format=csv):
// every row of the key file becomes a key, or updates the key that has its
// value ("the most recent version overwriting the previous one", AWS's key
// file format), and joins the usage plans it lists. A row that cannot be
// imported, or a plan it cannot join, is a warning; with failonwarnings=true
// any warning fails the whole import. Everything happens in one
// transaction.
func (h *Handler) importAPIKeys(c *call) (any, error) {
	var v awserr.Validation
	if format := c.query.Get("format"); !c.query.Has("format") {
		v.NotNull("format")
	} else if format != "csv" {
		v.Enum("format", format, []string{"csv"})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	body, err := c.body()
	if err != nil {
		return nil, err
	}
	rows, err := parseKeyFile(body)
	if err != nil {
		return nil, err
	}
	out := apiKeyIDsJSON{IDs: []string{}}
	err = h.usageTx(c, func(tx store.Tx) error {
		imp := &keyImport{tx: tx, now: h.now(), out: &out}
		if err := imp.run(rows); err != nil {
			return err
		}
		if c.boolQuery("failonwarnings") && len(out.Warnings) > 0 {
			// AWS's text for a failed import is unrecorded.
			return awserr.BadRequest("Warnings found during import: %s", strings.Join(out.Warnings, "; "))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// keyImport is one ImportApiKeys being applied.
type keyImport struct {
	tx      store.Tx
	now     time.Time
	out     *apiKeyIDsJSON
	byValue map[string]model.APIKey
	plans   *planIndex
}

func (imp *keyImport) warn(format string, args ...any) {
	imp.out.Warnings = append(imp.out.Warnings, fmt.Sprintf(format, args...))
}

func (imp *keyImport) run(rows []keyFileRow) error {
	all, err := imp.tx.APIKeys()
	if err != nil {
		return err
	}
	imp.byValue = make(map[string]model.APIKey, len(all))
	for _, k := range all {
		imp.byValue[k.Value] = k
	}
	imp.plans = newPlanIndex(imp.tx)
	for _, r := range rows {
		if w := r.problem(); w != "" {
			imp.warn("%s", w)
			continue
		}
		k, err := imp.put(r)
		if err != nil {
			return err
		}
		if !slices.Contains(imp.out.IDs, k.ID) {
			imp.out.IDs = append(imp.out.IDs, k.ID)
		}
		for _, planID := range r.planIDs {
			if err := imp.join(r.line, planID, k.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// put creates the row's key, or overwrites the name, description and
// enabled flag of the key that has its value.
func (imp *keyImport) put(r keyFileRow) (model.APIKey, error) {
	k, exists := imp.byValue[r.value]
	if !exists {
		k = model.APIKey{Value: r.value, CreatedDate: imp.now}
	}
	k.Name, k.Description, k.Enabled, k.LastUpdatedDate = r.name, r.descr, r.enabled, imp.now
	var err error
	if exists {
		err = imp.tx.PutAPIKey(k)
	} else {
		err = createAPIKey(imp.tx, &k)
	}
	imp.byValue[r.value] = k
	return k, err
}

// join adds the key to a plan; a plan that does not exist, or that shares an
// API stage with another plan of the key, is a warning.
func (imp *keyImport) join(line int, planID, keyID string) error {
	p, ok, err := imp.plans.plan(planID)
	if err != nil {
		return err
	}
	if !ok {
		imp.warn("Invalid usage plan ID %s at line %d", planID, line)
		return nil
	}
	if in, err := imp.plans.has(planID, keyID); err != nil || in {
		return err
	}
	if err := imp.plans.conflict(p, []string{keyID}, p.APIStages); err != nil {
		var e *awserr.Error
		if errors.As(err, &e) {
			imp.warn("%s (line %d)", e.Message, line)
			return nil
		}
		return err
	}
	imp.plans.added(planID, keyID)
	return imp.tx.AddUsagePlanKey(planID, keyID)
}

func (h *Handler) apiKeyOps(m map[string]opFunc) {
	m["CreateApiKey"] = h.createAPIKeyOp
	m["GetApiKey"] = h.getAPIKey
	m["GetApiKeys"] = h.getAPIKeys
	m["UpdateApiKey"] = h.updateAPIKey
	m["DeleteApiKey"] = h.deleteAPIKey
	m["ImportApiKeys"] = h.importAPIKeys
}
