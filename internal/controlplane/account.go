package controlplane

import (
	"errors"
	"slices"

	"github.com/gantryproject/gantry/internal/awserr"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/patch"
	"github.com/gantryproject/gantry/internal/store"
)

// Account values AWS shows for every account today: usage plans enabled
// (the "UsagePlans" feature, which cannot be removed) and API keys of
// version 4.
const (
	featureUsagePlans = "UsagePlans"
	apiKeyVersion     = "4"
)

// accountPaths is UpdateAccount's PATCH grammar: AWS's "PATCH operations"
// reference (/cloudwatchRoleArn, /features), plus a Gantry extension,
// replace on /throttle/rateLimit and /throttle/burstLimit, so that local
// users can lower or raise the account-level throttle, which AWS changes
// only through a support request (-1 for either turns it off).
var accountPaths = pathRules{
	{"/cloudwatchRoleArn", []patch.Op{patch.Replace}},
	{"/features", []patch.Op{patch.Add, patch.Remove}},
	{"/throttle/rateLimit", []patch.Op{patch.Replace}},
	{"/throttle/burstLimit", []patch.Op{patch.Replace}},
}

// accountJSON is the wire form of the Account shape.
type accountJSON struct {
	CloudwatchRoleARN string                 `json:"cloudwatchRoleArn,omitempty"`
	ThrottleSettings  model.ThrottleSettings `json:"throttleSettings"`
	Features          []string               `json:"features,omitempty"`
	APIKeyVersion     string                 `json:"apiKeyVersion"`
}

func accountOut(a model.Account) accountJSON {
	return accountJSON{CloudwatchRoleARN: a.CloudwatchRoleARN, ThrottleSettings: a.Throttle, Features: a.Features, APIKeyVersion: apiKeyVersion}
}

// loadAccount reads the scope's account settings; an account never changed
// has the defaults (model.DefaultAccountSettings) with usage plans enabled.
func loadAccount(tx store.ReadTx) (model.Account, error) {
	a, err := tx.Account()
	if errors.Is(err, store.ErrNotFound) {
		a = model.DefaultAccountSettings()
		a.Features = []string{featureUsagePlans}
		return a, nil
	}
	return a, err
}

// getAccount serves GetAccount.
func (h *Handler) getAccount(c *call) (any, error) {
	var out accountJSON
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		a, err := loadAccount(tx)
		out = accountOut(a)
		return err
	})
	return out, err
}

// updateAccount serves UpdateAccount (see accountPaths). Gantry assumes no
// role, so any CloudWatch role ARN is kept as given.
func (h *Handler) updateAccount(c *call) (any, error) {
	return h.usagePatch(c, "updateAccountInput", func(tx store.Tx, ops []patch.Operation) (any, error) {
		a, err := loadAccount(tx)
		if err != nil {
			return nil, err
		}
		for _, o := range ops {
			if err := patchAccount(&a, o); err != nil {
				return nil, err
			}
		}
		return accountOut(a), tx.PutAccount(a)
	})
}

func patchAccount(a *model.Account, o patch.Operation) error {
	op, _, value, err := opTarget(o)
	if err != nil {
		return err
	}
	path := *o.Path
	if err := accountPaths.check(op, path, path); err != nil {
		return err
	}
	switch path {
	case "/cloudwatchRoleArn":
		a.CloudwatchRoleARN = value
	case "/features":
		if op == patch.Remove && value == featureUsagePlans {
			// AWS's reference allows no removal of UsagePlans; its text
			// for one is unrecorded.
			return awserr.BadRequest("The UsagePlans feature cannot be removed")
		}
		a.Features = slices.Clone(a.Features)
		return patchListEntry(&a.Features, op, value)
	default:
		if value == unlimited {
			// Gantry extension: -1 turns the account-level bucket off, for
			// local load tests beyond AWS's default 10,000 requests per
			// second.
			a.Throttle = model.ThrottleSettings{BurstLimit: -1, RateLimit: -1}
			return nil
		}
		return setThrottleField(&a.Throttle, path, path, value)
	}
	return nil
}

// unlimited is the account throttle value that turns the bucket off.
const unlimited = "-1"

func (h *Handler) accountOps(m map[string]opFunc) {
	m["GetAccount"] = h.getAccount
	m["UpdateAccount"] = h.updateAccount
}
