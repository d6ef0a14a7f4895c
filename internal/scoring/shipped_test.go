package scoring_test

import (
	"testing"

	"vertaa/internal/assessment"
	"vertaa/internal/assessment/assessmenttest"
)

// shipped loads the questionnaires that ship with vertaa.
func shipped(t testing.TB) []*assessment.Questionnaire {
	t.Helper()
	return assessmenttest.Shipped(t).All()
}

// propertyQuestionnaires are the fixture and every shipped questionnaire.
func propertyQuestionnaires(t testing.TB) []*assessment.Questionnaire {
	return append([]*assessment.Questionnaire{loadFixture(t)}, shipped(t)...)
}
