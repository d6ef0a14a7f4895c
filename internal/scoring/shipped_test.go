package scoring_test

import (
	"testing"

	"vertaa/assessments"
	"vertaa/internal/assessment"
	"vertaa/internal/yamldoc"
)

// shipped loads the questionnaires that ship with vertaa.
func shipped(t testing.TB) []*assessment.Questionnaire {
	t.Helper()
	files, err := yamldoc.ReadFS(assessments.FS, "assessments")
	if err != nil {
		t.Fatal(err)
	}
	c, err := assessment.NewCatalog(files)
	if err != nil {
		t.Fatal(err)
	}
	return c.All()
}

// propertyQuestionnaires are the fixture and every shipped questionnaire.
func propertyQuestionnaires(t testing.TB) []*assessment.Questionnaire {
	return append([]*assessment.Questionnaire{loadFixture(t)}, shipped(t)...)
}
