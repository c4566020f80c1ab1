package sqlite

// The store's statements. Every statement whose first two parameters are the
// scope's account and region is run through txn.exec or txn.query; all are
// prepared when the store opens.
const (
	qRestAPI               = `SELECT doc FROM rest_apis WHERE account=? AND region=? AND id=?`
	qRestAPIs              = `SELECT seq, doc FROM rest_apis WHERE account=? AND region=? AND seq>? ORDER BY seq LIMIT ?`
	qResources             = `SELECT doc FROM resources WHERE account=? AND region=? AND api_id=? ORDER BY rowid`
	qGatewayResponses      = `SELECT doc FROM gateway_responses WHERE account=? AND region=? AND api_id=?`
	qTags                  = `SELECT key, value FROM tags WHERE account=? AND region=? AND resource=?`
	qInsertRestAPI         = `INSERT INTO rest_apis (account, region, id, doc) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`
	qInsertResource        = `INSERT INTO resources (account, region, api_id, id, doc) VALUES (?, ?, ?, ?, ?)`
	qUpdateRestAPI         = `UPDATE rest_apis SET doc=?4 WHERE account=?1 AND region=?2 AND id=?3`
	qDeleteRestAPI         = `DELETE FROM rest_apis WHERE account=? AND region=? AND id=?`
	qDeleteTagsUnder       = `DELETE FROM tags WHERE account=? AND region=? AND (resource=? OR substr(resource, 1, ?)=?)`
	qPutGatewayResponse    = `INSERT INTO gateway_responses (account, region, api_id, response_type, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, region, api_id, response_type) DO UPDATE SET doc=excluded.doc`
	qDeleteGatewayResponse = `DELETE FROM gateway_responses WHERE account=? AND region=? AND api_id=? AND response_type=?`
	qTagResource           = `INSERT INTO tags (account, region, resource, key, value) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, region, resource, key) DO UPDATE SET value=excluded.value`
	qUntagResource         = `DELETE FROM tags WHERE account=? AND region=? AND resource=? AND key=?`
)

var queries = []string{qRestAPI, qRestAPIs, qResources, qGatewayResponses, qTags, qInsertRestAPI, qInsertResource, qUpdateRestAPI, qDeleteRestAPI, qDeleteTagsUnder, qPutGatewayResponse, qDeleteGatewayResponse, qTagResource, qUntagResource}
