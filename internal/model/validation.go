package model

// Model is a data model of a REST API: a JSON Schema (draft 4) that request
// validators check request bodies against and that mapping-template
// generation reads. Other models are referenced by their URL,
// https://apigateway.amazonaws.com/restapis/{api}/models/{name}.
type Model struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	// Schema is the JSON Schema document as the user gave it.
	Schema      string `json:"schema,omitempty"`
	ContentType string `json:"contentType,omitempty"`
}

// RequestValidator says which parts of a request a method using it checks
// before calling the integration: the required parameters, the body against
// the method's request model, or both.
type RequestValidator struct {
	ID                        string `json:"id,omitempty"`
	Name                      string `json:"name,omitempty"`
	ValidateRequestBody       bool   `json:"validateRequestBody,omitempty"`
	ValidateRequestParameters bool   `json:"validateRequestParameters,omitempty"`
}

// ModelURLPrefix starts the canonical URL by which a model's schema refers
// to another model of the same API: ModelURLPrefix + apiID + "/models/" + name.
const ModelURLPrefix = "https://apigateway.amazonaws.com/restapis/"

// ModelURL returns the canonical URL of the model name of API apiID.
func ModelURL(apiID, name string) string { return ModelURLPrefix + apiID + "/models/" + name }
