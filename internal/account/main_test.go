package account_test

import (
	"os"
	"testing"

	"vertaa/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
