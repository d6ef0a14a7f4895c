package store

// outboxCollection holds e-mail messages waiting to be sent, and sent ones
// for the admin page. The code that uses it lives in this file.
const outboxCollection = "outbox"
