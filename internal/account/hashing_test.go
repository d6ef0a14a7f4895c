package account

import (
	"testing"
	"time"
)

// No more argon2 computations run at once than there are slots: a check
// of a password waits while every slot is taken, and runs once one frees.
func TestPasswordHashingWaitsForASlot(t *testing.T) {
	hash, err := HashPassword("Vihreä kettu hyppää aidan yli")
	if err != nil {
		t.Fatal(err)
	}
	for range cap(hashing) {
		hashing <- struct{}{}
	}
	done := make(chan bool)
	go func() { done <- CheckPassword(hash, "Vihreä kettu hyppää aidan yli") }()
	select {
	case <-done:
		t.Fatal("a password was checked while every slot was taken")
	case <-time.After(200 * time.Millisecond):
	}
	<-hashing
	if ok := <-done; !ok {
		t.Fatal("the password did not match once it had a slot")
	}
	for range cap(hashing) - 1 {
		<-hashing
	}
}
