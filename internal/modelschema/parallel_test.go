package modelschema

import (
	"sync"
	"testing"
)

// A deployment's compiled models are shared by concurrent requests.
func TestParallelValidate(t *testing.T) {
	set, err := Compile(apiID, benchModels)
	if err != nil {
		t.Fatal(err)
	}
	pet := set.Model("Pet")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				pet.Validate([]byte(`{"name":"","price":-1,"tags":["dog",2],"owner":{"email":"ann"}}`))
				pet.Validate([]byte(`{"name":"Rex","price":1,"owner":{"email":"a@b"}}`))
			}
		}()
	}
	wg.Wait()
}
