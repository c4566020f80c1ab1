package sqlite

// The store's statements. Every statement whose first two parameters are the
// scope's account and region is run through txn.exec or txn.query; all are
// prepared when the store opens.
const (
	qRestAPI               = `SELECT doc FROM rest_apis WHERE account=? AND region=? AND id=?`
	qRestAPIs              = `SELECT seq, doc FROM rest_apis WHERE account=? AND region=? AND seq>? ORDER BY seq LIMIT ?`
	qRestAPIExists         = `SELECT 1 FROM rest_apis WHERE account=? AND region=? AND id=?`
	qResource              = `SELECT doc FROM resources WHERE account=? AND region=? AND api_id=? AND id=?`
	qResources             = `SELECT doc FROM resources WHERE account=? AND region=? AND api_id=? ORDER BY rowid`
	qDeployment            = `SELECT doc FROM deployments WHERE account=? AND region=? AND api_id=? AND id=?`
	qDeployments           = `SELECT doc FROM deployments WHERE account=? AND region=? AND api_id=? ORDER BY seq`
	qStage                 = `SELECT doc FROM stages WHERE account=? AND region=? AND api_id=? AND name=?`
	qStages                = `SELECT doc FROM stages WHERE account=? AND region=? AND api_id=? ORDER BY seq`
	qGatewayResponses      = `SELECT doc FROM gateway_responses WHERE account=? AND region=? AND api_id=?`
	qTags                  = `SELECT key, value FROM tags WHERE account=? AND region=? AND resource=?`
	qInsertRestAPI         = `INSERT INTO rest_apis (account, region, id, doc) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`
	qInsertResource        = `INSERT INTO resources (account, region, api_id, id, doc) VALUES (?, ?, ?, ?, ?)`
	qUpdateRestAPI         = `UPDATE rest_apis SET doc=?4 WHERE account=?1 AND region=?2 AND id=?3`
	qDeleteRestAPI         = `DELETE FROM rest_apis WHERE account=? AND region=? AND id=?`
	qDeleteTagsUnder       = `DELETE FROM tags WHERE account=? AND region=? AND (resource=? OR substr(resource, 1, ?)=?)`
	qPutResource           = `INSERT INTO resources (account, region, api_id, id, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, region, api_id, id) DO UPDATE SET doc=excluded.doc`
	qDeleteResource        = `DELETE FROM resources WHERE account=? AND region=? AND api_id=? AND id=?`
	qInsertDeployment      = `INSERT INTO deployments (account, region, api_id, id, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	qUpdateDeployment      = `UPDATE deployments SET doc=?5 WHERE account=?1 AND region=?2 AND api_id=?3 AND id=?4`
	qDeleteDeployment      = `DELETE FROM deployments WHERE account=? AND region=? AND api_id=? AND id=?`
	qInsertStage           = `INSERT INTO stages (account, region, api_id, name, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	qUpdateStage           = `UPDATE stages SET doc=?5 WHERE account=?1 AND region=?2 AND api_id=?3 AND name=?4`
	qDeleteStage           = `DELETE FROM stages WHERE account=? AND region=? AND api_id=? AND name=?`
	qPutGatewayResponse    = `INSERT INTO gateway_responses (account, region, api_id, response_type, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, region, api_id, response_type) DO UPDATE SET doc=excluded.doc`
	qDeleteGatewayResponse = `DELETE FROM gateway_responses WHERE account=? AND region=? AND api_id=? AND response_type=?`
	qTagResource           = `INSERT INTO tags (account, region, resource, key, value) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, region, resource, key) DO UPDATE SET value=excluded.value`
	qUntagResource         = `DELETE FROM tags WHERE account=? AND region=? AND resource=? AND key=?`
	qAuthorizer            = `SELECT doc FROM authorizers WHERE account=? AND region=? AND api_id=? AND id=?`
	qAuthorizers           = `SELECT doc FROM authorizers WHERE account=? AND region=? AND api_id=? ORDER BY seq`
	qInsertAuthorizer      = `INSERT INTO authorizers (account, region, api_id, id, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	qUpdateAuthorizer      = `UPDATE authorizers SET doc=?5 WHERE account=?1 AND region=?2 AND api_id=?3 AND id=?4`
	qDeleteAuthorizer      = `DELETE FROM authorizers WHERE account=? AND region=? AND api_id=? AND id=?`

	qModel                  = `SELECT doc FROM models WHERE account=? AND region=? AND api_id=? AND name=?`
	qModels                 = `SELECT doc FROM models WHERE account=? AND region=? AND api_id=? ORDER BY seq`
	qInsertModel            = `INSERT INTO models (account, region, api_id, name, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	qUpdateModel            = `UPDATE models SET doc=?5 WHERE account=?1 AND region=?2 AND api_id=?3 AND name=?4`
	qDeleteModel            = `DELETE FROM models WHERE account=? AND region=? AND api_id=? AND name=?`
	qRequestValidator       = `SELECT doc FROM request_validators WHERE account=? AND region=? AND api_id=? AND id=?`
	qRequestValidators      = `SELECT doc FROM request_validators WHERE account=? AND region=? AND api_id=? ORDER BY seq`
	qInsertRequestValidator = `INSERT INTO request_validators (account, region, api_id, id, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	qUpdateRequestValidator = `UPDATE request_validators SET doc=?5 WHERE account=?1 AND region=?2 AND api_id=?3 AND id=?4`
	qDeleteRequestValidator = `DELETE FROM request_validators WHERE account=? AND region=? AND api_id=? AND id=?`

	qAPIKey             = `SELECT doc FROM api_keys WHERE account=? AND region=? AND id=?`
	qAPIKeys            = `SELECT doc FROM api_keys WHERE account=? AND region=? ORDER BY seq`
	qAPIKeyExists       = `SELECT 1 FROM api_keys WHERE account=? AND region=? AND id=?`
	qInsertAPIKey       = `INSERT INTO api_keys (account, region, id, value, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	qUpdateAPIKey       = `UPDATE api_keys SET value=?4, doc=?5 WHERE account=?1 AND region=?2 AND id=?3`
	qDeleteAPIKey       = `DELETE FROM api_keys WHERE account=? AND region=? AND id=?`
	qUsagePlan          = `SELECT doc FROM usage_plans WHERE account=? AND region=? AND id=?`
	qUsagePlans         = `SELECT doc FROM usage_plans WHERE account=? AND region=? ORDER BY seq`
	qUsagePlanExists    = `SELECT 1 FROM usage_plans WHERE account=? AND region=? AND id=?`
	qInsertUsagePlan    = `INSERT INTO usage_plans (account, region, id, doc) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`
	qUpdateUsagePlan    = `UPDATE usage_plans SET doc=?4 WHERE account=?1 AND region=?2 AND id=?3`
	qDeleteUsagePlan    = `DELETE FROM usage_plans WHERE account=? AND region=? AND id=?`
	qUsagePlanKeys      = `SELECT key_id FROM usage_plan_keys WHERE account=? AND region=? AND plan_id=? ORDER BY seq`
	qAddUsagePlanKey    = `INSERT INTO usage_plan_keys (account, region, plan_id, key_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`
	qRemoveUsagePlanKey = `DELETE FROM usage_plan_keys WHERE account=? AND region=? AND plan_id=? AND key_id=?`
	qAccount            = `SELECT doc FROM accounts WHERE account=? AND region=?`
	qPutAccount         = `INSERT INTO accounts (account, region, doc) VALUES (?, ?, ?) ON CONFLICT (account, region) DO UPDATE SET doc=excluded.doc`
	// qUsage's key_id test matches every key when ?4 is "".
	qUsage = `SELECT key_id, day, used, granted FROM usage WHERE account=?1 AND region=?2 AND plan_id=?3 AND (?4='' OR key_id=?4) AND day>=?5 AND day<=?6 ORDER BY key_id, day`
	// qAddUsage adds to the day's counts, but only while the plan exists.
	qAddUsage = `INSERT INTO usage (account, region, plan_id, key_id, day, used, granted)
SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE EXISTS (SELECT 1 FROM usage_plans WHERE account=?1 AND region=?2 AND id=?3)
ON CONFLICT (account, region, plan_id, key_id, day) DO UPDATE SET used=used+excluded.used, granted=granted+excluded.granted`
)

// qScopes is the one statement that spans scopes: it is run by Store.Scopes,
// outside any transaction's scope.
const qScopes = `SELECT DISTINCT account, region FROM rest_apis ORDER BY account, region`

var queries = []string{
	qRestAPI, qRestAPIs, qRestAPIExists, qResource, qResources,
	qDeployment, qDeployments, qStage, qStages, qGatewayResponses, qTags,
	qInsertRestAPI, qInsertResource, qUpdateRestAPI, qDeleteRestAPI, qDeleteTagsUnder,
	qPutResource, qDeleteResource,
	qInsertDeployment, qUpdateDeployment, qDeleteDeployment,
	qInsertStage, qUpdateStage, qDeleteStage,
	qPutGatewayResponse, qDeleteGatewayResponse, qTagResource, qUntagResource,
	qAPIKey, qAPIKeys, qAPIKeyExists, qInsertAPIKey, qUpdateAPIKey, qDeleteAPIKey,
	qUsagePlan, qUsagePlans, qUsagePlanExists, qInsertUsagePlan, qUpdateUsagePlan, qDeleteUsagePlan,
	qUsagePlanKeys, qAddUsagePlanKey, qRemoveUsagePlanKey,
	qAccount, qPutAccount, qUsage, qAddUsage,
	qModel, qModels, qInsertModel, qUpdateModel, qDeleteModel,
	qRequestValidator, qRequestValidators, qInsertRequestValidator, qUpdateRequestValidator, qDeleteRequestValidator,
	qAuthorizer, qAuthorizers, qInsertAuthorizer, qUpdateAuthorizer, qDeleteAuthorizer,
	qScopes,
}
