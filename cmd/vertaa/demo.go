package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Helsinki's time zone on machines without a zone database

	"golang.org/x/text/unicode/norm"

	"vertaa/internal/account"
	"vertaa/internal/assessment"
	"vertaa/internal/audit"
	"vertaa/internal/response"
	"vertaa/internal/store"
)

// The size of the demo network: -leaders is checked against these.
const (
	demoLeaders    = 300
	demoMinLeaders = 30
	demoMaxLeaders = 3000
)

// demoQuestionnaire is the questionnaire of the demo rounds.
const demoQuestionnaire = "johtamisosaaminen"

// demoTeam is a team of a demo organisation: it gets its weight's share
// of the organisation's leaders, or exactly size of them.
type demoTeam struct {
	name   string
	weight float64
	size   int
}

// demoOrg describes one fictional organisation of the demo network.
type demoOrg struct {
	name   string
	domain string // of the e-mail addresses; .example is reserved (RFC 2606), so no mail reaches anyone
	share  float64
	// swedish is the share of Swedish-speaking leaders.
	swedish float64
	// submit is the share of leaders who submit, per round.
	submit [2]float64
	hr     demoName
	teams  []demoTeam
}

// demoName is a person's name and language (fi or sv).
type demoName struct{ first, last, lang string }

var demoOrgs = []demoOrg{
	{
		name: "Järvikylän ammattiopisto", domain: "jarvikyla.example", share: 0.40, swedish: 0.05, submit: [2]float64{0.82, 0.72},
		hr: demoName{"Henna", "Mäkelä", "fi"},
		teams: []demoTeam{
			{name: "Rehtoraatti", size: 3}, // below the anonymity threshold in every round
			{name: "Tekniikan koulutusala", weight: 3},
			{name: "Hyvinvointialat", weight: 3},
			{name: "Palvelualat", weight: 2},
			{name: "Tukipalvelut", weight: 1.5},
		},
	},
	{
		name: "Rannikon koulutuskuntayhtymä", domain: "rannikko.example", share: 0.35, swedish: 0.35, submit: [2]float64{0.80, 0.70},
		hr: demoName{"Åsa", "Lindqvist", "fi"},
		teams: []demoTeam{
			{name: "Johtoryhmä", weight: 1},
			{name: "Tekniikka ja logistiikka", weight: 3},
			{name: "Sosiaali- ja terveysala", weight: 3},
			{name: "Liiketalous ja palvelut", weight: 2.5},
		},
	},
	{
		name: "Sisämaan ammattikoulutus", domain: "sisamaa.example", share: 0.25, swedish: 0.02, submit: [2]float64{0.76, 0.66},
		hr: demoName{"Päivi", "Kääriäinen", "fi"},
		teams: []demoTeam{
			{name: "Tekniikka ja luonnonvara-ala", weight: 3},
			{name: "Hyvinvointialat", weight: 2},
			{name: "Palvelut ja tukitoiminnot", weight: 2},
		},
	},
}

// demoAdmin is the administrator of the demo network.
var demoAdmin = struct{ name, email string }{"Aleksi Ylönen", "paakayttaja@verkosto.example"}

// Name parts of the fictional leaders, by language.
var (
	demoFirstNames = map[string][]string{
		"fi": {"Aino", "Anne", "Eeva", "Elina", "Hanna", "Heli", "Johanna", "Katja", "Kirsi", "Laura", "Leena", "Maarit",
			"Mervi", "Minna", "Päivi", "Riikka", "Sari", "Satu", "Sirpa", "Tiina", "Tuula", "Ulla", "Hannele", "Jaana",
			"Ari", "Esa", "Harri", "Jari", "Juha", "Jukka", "Jyrki", "Kari", "Kyösti", "Markku", "Matti", "Mika",
			"Mikko", "Pekka", "Petri", "Sami", "Seppo", "Timo", "Tuomas", "Väinö", "Yrjö", "Ilkka", "Antti", "Teemu"},
		"sv": {"Åsa", "Märta", "Ingrid", "Linnéa", "Stina", "Ebba", "Gunnel", "Birgitta", "Maria", "Cecilia",
			"Björn", "Göran", "Håkan", "Mats", "Sören", "Fredrik", "Pär", "Henrik", "Jonas", "Mikael"},
	}
	demoLastNames = map[string][]string{
		"fi": {"Mäkinen", "Häkkinen", "Järvinen", "Väisänen", "Pääkkönen", "Lähteenmäki", "Kärkkäinen", "Hämäläinen",
			"Mäkelä", "Nieminen", "Laine", "Heikkinen", "Koskinen", "Lehtonen", "Räsänen", "Töyrylä", "Ylä-Jääski",
			"Kettunen", "Jääskeläinen", "Pöllänen", "Kähkönen", "Savolainen", "Rytkönen", "Hyvönen", "Nykänen",
			"Pelkonen", "Lämsä", "Björninen", "Karjalainen", "Väänänen"},
		"sv": {"Åberg", "Sjöberg", "Lindström", "Holmström", "Åkerlund", "Ekström", "Söderlund", "Björklund",
			"Nyström", "Granö", "Sundqvist", "Backman", "Wikström", "Grönroos", "Öhman", "Lindqvist"},
	}
	// demoReflections are answers to the reflection questions of the
	// questionnaire, by language and question.
	demoReflections = map[string]map[string][]string{
		"fi": {
			"jaettava-menetelma": {
				"Viikoittainen tiimipalaveri, jossa jokainen kertoo yhden onnistumisen ja yhden haasteen. Se on lisännyt avoimuutta.",
				"Opiskelijapalautteen käsittely yhdessä opettajien kanssa kerran jaksossa.",
				"Työpaikkaohjaajien koulutusmalli, jota olemme kokeilleet rakennusalalla.",
				"Mentorointimalli uusille esihenkilöille: puoli vuotta, tapaaminen kerran kuussa.",
				"Kehityskeskustelun runko, jossa omat tavoitteet kytketään tiimin tavoitteisiin.",
			},
			"tarvittava-osaaminen": {
				"Muutosjohtamisen työkaluja; voisin osallistua verkoston työpajoihin.",
				"Talousosaamista ja budjetoinnin perusteita.",
				"Vaikeiden keskustelujen käymistä. Työnohjaus voisi auttaa.",
				"Digitaalisten työkalujen pedagogista käyttöä.",
				"Tiedolla johtamista: miten opiskelijapalautetta käytetään päätöksenteossa.",
			},
			"seuraava-askel": {
				"Aloitan kuukausittaiset kahdenkeskiset keskustelut jokaisen tiimiläisen kanssa.",
				"Varaan kalenterista viikoittain tunnin omaan suunnitteluun.",
				"Pyydän tiimiltä palautetta johtamisestani lyhyellä kyselyllä.",
				"Sovin vertaisjohtajan kanssa säännöllisestä sparrauksesta.",
				"Käyn tiimin tavoitteet läpi yhdessä tiimin kanssa.",
			},
		},
		"sv": {
			"jaettava-menetelma": {
				"Ett kort veckomöte där var och en berättar om en framgång och en utmaning.",
				"Vi går igenom studerandenas respons tillsammans med lärarna varje period.",
			},
			"tarvittava-osaaminen": {
				"Verktyg för förändringsledning; nätverkets workshoppar kunde hjälpa.",
				"Ekonomi och budgetering.",
			},
			"seuraava-askel": {
				"Jag börjar med månatliga samtal med var och en i teamet.",
				"Jag ber teamet om respons på mitt ledarskap.",
			},
		},
	}
)

// demoTake is how far a leader gets in a round.
type demoTake int

const (
	demoNone      demoTake = iota // does not open the questionnaire
	demoStarted                   // saves some pages of a draft
	demoSubmitted                 // submits
)

// demoRound is what one leader does in one round.
type demoRound struct {
	take  demoTake
	pages []assessment.Answers // the area pages saved, in order
	// reflections are the answers of the last page, sent with the submit.
	reflections assessment.Answers
	shared      bool
}

// demoPerson is a fictional person with an account.
type demoPerson struct {
	name, email, lang string
}

// demoLeader is a leader of the plan: their teams (indexes into the
// organisation's teams) and what they do in each round.
type demoLeader struct {
	demoPerson
	teams  []int
	rounds [2]demoRound
}

// demoPlanOrg is one organisation of the plan.
type demoPlanOrg struct {
	spec    demoOrg
	hr      demoPerson
	leaders []*demoLeader
}

// demoPlan is everything the demo seeds, drawn from the seed alone, so
// that a seed always gives the same network.
type demoPlan struct {
	orgs []*demoPlanOrg
}

// newDemoPlan draws a network of n leaders answering q.
//
// Every leader has a latent competence per area: a network-wide base
// around 3.2, plus offsets of their organisation, their teams and their
// own, clamped to the score range. Each item is answered near it with
// noise ("not applicable" now and then where the item offers it). In the
// second round each organisation has improved in a few areas.
func newDemoPlan(seed int64, n int, q *assessment.Questionnaire) *demoPlan {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x7665727461612064))
	gauss := func(sd float64) float64 { return rng.NormFloat64() * sd }
	lo, hi := q.Scoring.Min, q.Scoring.Max
	clamp := func(x float64) float64 { return min(hi, max(lo, x)) }
	areas := len(q.Areas)
	base := make([]float64, areas)
	for a := range base {
		base[a] = 3.2 + gauss(0.18)
	}
	used := map[string]bool{}
	email := func(first, last, domain string) string {
		local := demoASCII(first) + "." + demoASCII(last)
		addr := local + "@" + domain
		for i := 2; used[addr]; i++ {
			addr = local + strconv.Itoa(i) + "@" + domain
		}
		used[addr] = true
		return addr
	}

	plan := &demoPlan{}
	counts := demoApportion(n, demoOrgShares())
	for oi, spec := range demoOrgs {
		o := &demoPlanOrg{spec: spec}
		o.hr = demoPerson{name: spec.hr.first + " " + spec.hr.last, email: email(spec.hr.first, spec.hr.last, spec.domain), lang: spec.hr.lang}
		orgOffset, gain := make([]float64, areas), make([]float64, areas)
		improved := rng.Perm(areas)[:2+rng.IntN(2)]
		for a := range areas {
			orgOffset[a] = gauss(0.12)
			gain[a] = 0.03 + gauss(0.04)
			if slices.Contains(improved, a) {
				gain[a] = 0.3 + gauss(0.08)
			}
		}
		teamOffset := make([][]float64, len(spec.teams))
		for t := range teamOffset {
			general := gauss(0.15)
			teamOffset[t] = make([]float64, areas)
			for a := range areas {
				teamOffset[t][a] = general + gauss(0.2)
			}
		}
		teams := demoTeams(rng, counts[oi], spec.teams)
		for i := range counts[oi] {
			lang := "fi"
			if rng.Float64() < spec.swedish {
				lang = "sv"
			}
			first := demoFirstNames[lang][rng.IntN(len(demoFirstNames[lang]))]
			last := demoLastNames[lang][rng.IntN(len(demoLastNames[lang]))]
			l := &demoLeader{demoPerson: demoPerson{name: first + " " + last, email: email(first, last, spec.domain), lang: lang}, teams: teams[i]}
			general := gauss(0.42)
			latent := make([]float64, areas)
			for a := range areas {
				team := 0.0
				for _, t := range l.teams {
					team += teamOffset[t][a] / float64(len(l.teams))
				}
				latent[a] = clamp(base[a] + orgOffset[a] + team + general + gauss(0.3))
			}
			for r := range l.rounds {
				if r > 0 {
					for a := range areas {
						latent[a] = clamp(latent[a] + gain[a] + gauss(0.15))
					}
				}
				l.rounds[r] = demoRespond(rng, q, latent, lang, spec.submit[r])
			}
			o.leaders = append(o.leaders, l)
		}
		plan.orgs = append(plan.orgs, o)
	}
	return plan
}

// demoOrgShares are the organisations' shares of the leaders.
func demoOrgShares() []float64 {
	s := make([]float64, len(demoOrgs))
	for i, o := range demoOrgs {
		s[i] = o.share
	}
	return s
}

// demoApportion splits n by weights, largest remainders first, so that
// the parts add up to n.
func demoApportion(n int, weights []float64) []int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	parts := make([]int, len(weights))
	rest := make([]float64, len(weights))
	given := 0
	for i, w := range weights {
		exact := float64(n) * w / total
		parts[i] = int(exact)
		rest[i] = exact - float64(parts[i])
		given += parts[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case rest[a] > rest[b]:
			return -1
		case rest[a] < rest[b]:
			return 1
		}
		return 0
	})
	for i := 0; given < n; i++ {
		parts[order[i%len(order)]]++
		given++
	}
	return parts
}

// demoTeams places n leaders in teams: a team with a size gets exactly
// that many, one in twenty leaders is in no team, the others are shared
// out by the teams' weights, and one in twenty of them is also in a
// second team.
func demoTeams(rng *rand.Rand, n int, teams []demoTeam) [][]int {
	out := make([][]int, n)
	order := rng.Perm(n)
	next := 0
	var weighted []int
	var weights []float64
	for t, team := range teams {
		if team.size > 0 {
			for range team.size {
				out[order[next]] = []int{t}
				next++
			}
			continue
		}
		weighted = append(weighted, t)
		weights = append(weights, team.weight)
	}
	next += max(1, n/20) // in no team
	sizes := demoApportion(n-next, weights)
	for i, size := range sizes {
		for range size {
			out[order[next]] = []int{weighted[i]}
			next++
		}
	}
	for i := range out {
		if len(out[i]) == 1 && slices.Contains(weighted, out[i][0]) && len(weighted) > 1 && rng.Float64() < 0.05 {
			second := weighted[rng.IntN(len(weighted))]
			for second == out[i][0] {
				second = weighted[rng.IntN(len(weighted))]
			}
			out[i] = append(out[i], second)
		}
	}
	return out
}

// demoRespond draws what a leader of the given latent competence does in
// a round: submit (with probability submit), start a draft (less often)
// or nothing.
func demoRespond(rng *rand.Rand, q *assessment.Questionnaire, latent []float64, lang string, submit float64) demoRound {
	var r demoRound
	switch u := rng.Float64(); {
	case u < submit:
		r.take = demoSubmitted
	case u < submit+0.08:
		r.take = demoStarted
	default:
		return r
	}
	pages := len(q.Areas)
	if r.take == demoStarted {
		pages = rng.IntN(len(q.Areas)) // not all of them
	}
	for a := range pages {
		answers := assessment.Answers{}
		for _, it := range q.Areas[a].Items {
			if ans, ok := demoItem(rng, q, it, latent[a]); ok {
				answers[it.ID] = ans
			}
		}
		r.pages = append(r.pages, answers)
	}
	if r.take != demoSubmitted {
		return r
	}
	r.shared = rng.Float64() < 0.3
	if rng.Float64() < 0.45 {
		r.reflections = assessment.Answers{}
		for i, ref := range q.Reflections {
			texts := demoReflections[lang][ref.ID]
			if len(texts) > 0 && (rng.Float64() < 0.6 || i == len(q.Reflections)-1 && len(r.reflections) == 0) {
				r.reflections[ref.ID] = assessment.Answer{Text: texts[rng.IntN(len(texts))]}
			}
		}
	}
	return r
}

// demoItem answers one item near the latent competence (on the score
// range), or leaves it unanswered (ok false).
func demoItem(rng *rand.Rand, q *assessment.Questionnaire, it assessment.Item, latent float64) (a assessment.Answer, ok bool) {
	if it.Kind == assessment.TextItem {
		return a, false
	}
	sc, found := q.Scale(it.Scale)
	if !found || len(sc.Points) == 0 || it.Optional && rng.Float64() < 0.15 {
		return a, false
	}
	if it.NotApplicable && rng.Float64() < 0.07 {
		return assessment.Answer{NA: true}, true
	}
	if it.Kind == assessment.ChoiceItem {
		return assessment.Answer{Value: sc.Points[rng.IntN(len(sc.Points))].Value}, true
	}
	noise := 0.6
	if it.Kind == assessment.LevelItem {
		noise = 0.45
	}
	lo, hi := sc.Range()
	x := lo + (latent+rng.NormFloat64()*noise-q.Scoring.Min)/(q.Scoring.Max-q.Scoring.Min)*(hi-lo)
	if it.Reverse {
		x = lo + hi - x
	}
	best := sc.Points[0].Value
	for _, p := range sc.Points {
		if math.Abs(p.Value-x) < math.Abs(best-x) {
			best = p.Value
		}
	}
	return assessment.Answer{Value: best}, true
}

// demoASCII folds a name into the local part of an e-mail address.
func demoASCII(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case r >= 'a' && r <= 'z', r == '-':
			b.WriteRune(r)
		case r == 'ø':
			b.WriteRune('o')
		}
	}
	return b.String()
}

// demoSeeder carries the plan out through the services, as the people
// of the plan would through the web pages.
type demoSeeder struct {
	db        *store.Store
	accounts  *account.Service
	responses *response.Service
	admin     *account.Principal
	zone      *time.Location // Helsinki: rounds open and close at midnight there
}

// demoSeededOrg is an organisation as seeded.
type demoSeededOrg struct {
	plan    *demoPlanOrg
	org     account.Organisation
	teams   []account.Team
	hr      *account.Principal
	rounds  [2]response.Round
	leaders []*account.Principal // in the order of plan.leaders
}

// principal returns the user with their grants, as a session would carry
// them.
func (s *demoSeeder) principal(ctx context.Context, u account.User) (*account.Principal, error) {
	grants, err := s.db.Grants(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return &account.Principal{User: u, Grants: grants}, nil
}

// person creates the account of someone in the organisation with a role
// in it. The account service creates accounts only with a password (an
// accepted invitation or the first-run setup) or as administrators, so
// the account is added through the store, audited as the command line's
// administrators are; the role is granted through the service.
func (s *demoSeeder) person(ctx context.Context, orgID string, p demoPerson, role account.Role) (*account.Principal, error) {
	email, err := account.NormalizeEmail(p.email)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.email, err)
	}
	name, err := account.NormalizeName("name", p.name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.name, err)
	}
	u, err := s.db.CreateUser(ctx, account.User{Email: email, Name: name, Lang: p.lang, CreatedAt: time.Now().UTC()})
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", email, err)
	}
	if err := s.db.Record(ctx, audit.Event{At: time.Now().UTC(), Action: audit.UserCreated, OrgID: orgID, TargetID: u.ID, Detail: "demo"}); err != nil {
		return nil, err
	}
	if err := s.accounts.SetRole(ctx, s.admin, u.ID, role, orgID, true); err != nil {
		return nil, fmt.Errorf("make %s %s: %w", email, role, err)
	}
	return s.principal(ctx, u)
}

// organisation creates an organisation with its HR, teams and leaders.
func (s *demoSeeder) organisation(ctx context.Context, o *demoPlanOrg) (*demoSeededOrg, error) {
	org, err := s.accounts.CreateOrg(ctx, s.admin, o.spec.name)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", o.spec.name, err)
	}
	so := &demoSeededOrg{plan: o, org: org, leaders: make([]*account.Principal, len(o.leaders))}
	if so.hr, err = s.person(ctx, org.ID, o.hr, account.HR); err != nil {
		return nil, err
	}
	for _, t := range o.spec.teams {
		team, err := s.accounts.CreateTeam(ctx, so.hr, org.ID, t.name)
		if err != nil {
			return nil, fmt.Errorf("create team %s: %w", t.name, err)
		}
		so.teams = append(so.teams, team)
	}
	err = demoEach(ctx, len(o.leaders), func(ctx context.Context, i int) error {
		l := o.leaders[i]
		p, err := s.person(ctx, org.ID, l.demoPerson, account.Leader)
		if err != nil {
			return err
		}
		if len(l.teams) > 0 {
			ids := make([]string, len(l.teams))
			for j, t := range l.teams {
				ids[j] = so.teams[t].ID
			}
			if err := s.accounts.SetTeams(ctx, so.hr, org.ID, p.User.ID, ids); err != nil {
				return fmt.Errorf("teams of %s: %w", l.email, err)
			}
		}
		so.leaders[i] = p
		return nil
	})
	return so, err
}

// demoJob is one leader answering one round.
type demoJob struct {
	so    *demoSeededOrg
	i     int // the leader's index in the organisation
	round int
	draft string
}

// start opens the leader's draft of the round.
func (s *demoSeeder) start(ctx context.Context, j *demoJob) error {
	d, err := s.responses.Start(ctx, j.so.leaders[j.i], j.so.org.ID, j.so.rounds[j.round].ID, "")
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	j.draft = d.ID
	return nil
}

// answer saves the leader's pages of the draft and, if the plan says so,
// submits it with the reflections and shares the response.
func (s *demoSeeder) answer(ctx context.Context, j *demoJob) error {
	plan, p := j.so.plan.leaders[j.i].rounds[j.round], j.so.leaders[j.i]
	for page, answers := range plan.pages {
		if _, err := s.responses.SavePage(ctx, p, j.draft, page+1, answers, page+2); err != nil {
			return fmt.Errorf("save page %d: %w", page+1, err)
		}
	}
	if plan.take != demoSubmitted {
		return nil
	}
	r, err := s.responses.Submit(ctx, p, j.draft, func(*assessment.Questionnaire, int) (assessment.Answers, error) {
		return plan.reflections, nil
	})
	if err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	if plan.shared {
		if err := s.responses.SetShared(ctx, p, r.ID, true); err != nil {
			return fmt.Errorf("share: %w", err)
		}
	}
	return nil
}

// rounds opens the two rounds in every organisation and has the leaders
// answer them. Everyone who takes part in either round opens its
// questionnaire first; then the earlier round is filled in, submitted
// and closed, and then the current one is filled in. Responses are
// stamped with the time they are submitted, so the earlier round stays
// open until its answers are in. (Opening everything first is also much
// quicker: starting a draft looks through the leader's responses, which
// the embedded store finds by reading every response of the instance.)
func (s *demoSeeder) rounds(ctx context.Context, orgs []*demoSeededOrg, in [2]response.RoundInput) error {
	var jobs [2][]*demoJob
	for round := range in {
		for _, so := range orgs {
			r, err := s.responses.CreateRound(ctx, so.hr, so.org.ID, in[round])
			if err != nil {
				return fmt.Errorf("open round %s of %s: %w", in[round].Name, so.org.Name, err)
			}
			so.rounds[round] = r
			for i, l := range so.plan.leaders {
				if l.rounds[round].take != demoNone {
					jobs[round] = append(jobs[round], &demoJob{so: so, i: i, round: round})
				}
			}
		}
	}
	do := func(jobs []*demoJob, step func(context.Context, *demoJob) error) error {
		return demoEach(ctx, len(jobs), func(ctx context.Context, k int) error {
			j := jobs[k]
			if err := step(ctx, j); err != nil {
				return fmt.Errorf("%s in round %s: %w", j.so.plan.leaders[j.i].email, in[j.round].Name, err)
			}
			return nil
		})
	}
	if err := do(slices.Concat(jobs[0], jobs[1]), s.start); err != nil {
		return err
	}
	if err := do(jobs[0], s.answer); err != nil {
		return err
	}
	for _, so := range orgs {
		if err := s.responses.CloseRound(ctx, so.hr, so.org.ID, so.rounds[0].ID); err != nil {
			return fmt.Errorf("close round %s of %s: %w", in[0].Name, so.org.Name, err)
		}
	}
	return do(jobs[1], s.answer)
}

// demoWorkers is how many people the demo seeds at once: the embedded
// store writes one at a time, but reads and scoring overlap.
const demoWorkers = 4

// demoEach calls f for 0 to n-1 on a few goroutines and returns the first
// error; after an error it starts no more calls.
func demoEach(ctx context.Context, n int, f func(context.Context, int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(demoWorkers, n) {
		wg.Go(func() {
			for i := range next {
				if ctx.Err() != nil {
					continue
				}
				if err := f(ctx, i); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}

// demoTerms names the current and the previous term in Finnish (Kevät
// from January to June, Syksy from July) and returns the first day of
// the previous term, in Helsinki.
func demoTerms(now time.Time, loc *time.Location) (previous, current string, previousOpens time.Time) {
	now = now.In(loc)
	y := now.Year()
	if now.Month() <= time.June {
		return fmt.Sprintf("Syksy %d", y-1), fmt.Sprintf("Kevät %d", y), time.Date(y-1, time.September, 1, 0, 0, 0, 0, loc)
	}
	return fmt.Sprintf("Kevät %d", y), fmt.Sprintf("Syksy %d", y), time.Date(y, time.February, 1, 0, 0, 0, 0, loc)
}

// demoPasswordLink finds the password link e-mailed to an address.
var demoPasswordLink = regexp.MustCompile(`\S+/password/[A-Za-z0-9_-]{43}`)

// demoCredential is someone to sign in as, with their one-time link.
type demoCredential struct {
	role, name, email, link string
}

// demo runs "vertaa demo": it fills an empty store with a demo network
// (three organisations, their teams, HR and leaders, two rounds of the
// leadership self-assessment with plausible answers) through the same
// services the web pages use, and prints one-time links with which the
// administrator and the HR users set their passwords. It refuses a store
// that holds organisations already, so that demo data never mixes with
// real data.
func demo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("vertaa demo", flag.ContinueOnError)
	seed := fs.Int64("seed", 1, "seed of the demo data: the same seed gives the same network")
	leaders := demoLeaders
	fs.Func("leaders", fmt.Sprintf("number of leaders, %d to %d (default %d)", demoMinLeaders, demoMaxLeaders, demoLeaders), func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < demoMinLeaders || n > demoMaxLeaders {
			return fmt.Errorf("use a whole number from %d to %d", demoMinLeaders, demoMaxLeaders)
		}
		leaders = n
		return nil
	})
	cli, code := openCLI(ctx, fs, args, getenv, stderr)
	if cli == nil {
		return code
	}
	defer cli.stop()
	fail := func(err error) int {
		fmt.Fprintln(stderr, "vertaa demo:", oneLine(err))
		return exitFailure
	}
	start := time.Now()

	orgs, err := cli.db.Orgs(ctx)
	if err != nil {
		return fail(err)
	}
	if len(orgs) > 0 {
		fmt.Fprintf(stderr, "vertaa demo: the store already holds %d organisations; the demo fills only an empty one (choose another -data-dir or VERTAA_MONGODB_DATABASE)\n", len(orgs))
		return exitUsage
	}
	seeded, creds, err := seedDemo(ctx, cli, *seed, leaders)
	if err != nil {
		fmt.Fprintln(stderr, "vertaa demo:", oneLine(err))
		return exitFailure
	}
	printDemoSummary(stdout, *seed, seeded, creds, cli.cfg.PublicURL.String(), demoZone, time.Since(start))
	return 0
}

// demoZone is Helsinki: the demo's rounds open and close at midnight there.
var demoZone = func() *time.Location {
	z, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		panic(err) // time/tzdata is linked in
	}
	return z
}()

// seedDemo fills the empty store of cli with the demo network of the
// seed and number of leaders.
func seedDemo(ctx context.Context, cli *cliContext, seed int64, leaders int) ([]*demoSeededOrg, []demoCredential, error) {
	catalog, err := loadQuestionnaires(cli.cfg.AssessmentsDir, cli.cfg.source["VERTAA_ASSESSMENTS_DIR"])
	if err != nil {
		return nil, nil, err
	}
	q, ok := catalog.Get(demoQuestionnaire)
	if !ok {
		return nil, nil, fmt.Errorf("no questionnaire %s", demoQuestionnaire)
	}
	responses, err := response.NewService(ctx, cli.db, catalog)
	if err != nil {
		return nil, nil, err
	}
	accounts := account.NewService(cli.db, cli.texts, cli.cfg.PublicURL.String(), func() {})
	s := &demoSeeder{db: cli.db, accounts: accounts, responses: responses, zone: demoZone}
	seeded, creds, err := s.seed(ctx, newDemoPlan(seed, leaders, q))
	if err != nil {
		return nil, nil, fmt.Errorf("%w; the store now holds part of the demo network: start again with an empty data folder or database", err)
	}
	return seeded, creds, nil
}

// seed creates the administrator, the organisations and the two rounds,
// and returns the one-time links to sign in with.
func (s *demoSeeder) seed(ctx context.Context, plan *demoPlan) ([]*demoSeededOrg, []demoCredential, error) {
	adminUser, adminLink, err := s.accounts.CreateAdmin(ctx, demoAdmin.email, demoAdmin.name)
	if err != nil {
		return nil, nil, fmt.Errorf("create the administrator: %w", err)
	}
	if s.admin, err = s.principal(ctx, adminUser); err != nil {
		return nil, nil, err
	}
	creds := []demoCredential{{role: "administrator", name: adminUser.Name, email: adminUser.Email, link: adminLink}}

	var orgs []*demoSeededOrg
	for _, o := range plan.orgs {
		so, err := s.organisation(ctx, o)
		if err != nil {
			return nil, nil, err
		}
		orgs = append(orgs, so)
	}

	now := time.Now().In(s.zone)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.zone)
	previous, current, previousOpens := demoTerms(now, s.zone)
	if err := s.rounds(ctx, orgs, [2]response.RoundInput{
		{Name: previous, QuestionnaireID: demoQuestionnaire, Opens: previousOpens, Closes: today.AddDate(0, 0, 2)},
		{Name: current, QuestionnaireID: demoQuestionnaire, Opens: today, Closes: today.AddDate(0, 0, 29)},
	}); err != nil {
		return nil, nil, err
	}

	// The HR users get a password link the way anyone does who asks for
	// one; without SMTP it waits in the outbox, where it is read back.
	for _, so := range orgs {
		if err := s.accounts.RequestPasswordReset(ctx, so.hr.User.Email); err != nil {
			return nil, nil, fmt.Errorf("password link of %s: %w", so.hr.User.Email, err)
		}
	}
	outbox, err := s.accounts.Outbox(ctx, s.admin)
	if err != nil {
		return nil, nil, err
	}
	for _, so := range orgs {
		c := demoCredential{role: "HR, " + so.org.Name, name: so.hr.User.Name, email: so.hr.User.Email}
		for _, m := range outbox { // newest first
			if account.EmailKey(m.To) == account.EmailKey(c.email) {
				if c.link = demoPasswordLink.FindString(m.Text); c.link != "" {
					break
				}
			}
		}
		if c.link == "" {
			return nil, nil, errors.New("no password link was e-mailed to " + c.email)
		}
		creds = append(creds, c)
	}
	return orgs, creds, nil
}

// printDemoSummary tells what was seeded and how to sign in.
func printDemoSummary(w io.Writer, seed int64, orgs []*demoSeededOrg, creds []demoCredential, publicURL string, zone *time.Location, took time.Duration) {
	var teams, leaders int
	var submitted [2]int
	fmt.Fprintf(w, "Seeded a demo network (seed %d) in %.1f s:\n", seed, took.Seconds())
	for _, so := range orgs {
		teams += len(so.teams)
		leaders += len(so.leaders)
		fmt.Fprintf(w, "  %s: %d teams, %d leaders", so.org.Name, len(so.teams), len(so.leaders))
		for r, round := range so.rounds {
			var done, started int
			for _, l := range so.plan.leaders {
				switch l.rounds[r].take {
				case demoSubmitted:
					done++
				case demoStarted:
					started++
				}
			}
			submitted[r] += done
			state := "closed"
			if r == 1 {
				state = "open until " + round.Closes.In(zone).AddDate(0, 0, -1).Format("2.1.2006")
			}
			fmt.Fprintf(w, "; %s (%s): %d responses, %d drafts", round.Name, state, done, started)
		}
		fmt.Fprintf(w, "\n    %s/orgs/%s\n", publicURL, so.org.ID)
	}
	fmt.Fprintf(w, "In all %d organisations, %d teams, %d leaders; %d responses in the earlier round and %d in the current one.\n",
		len(orgs), teams, leaders, submitted[0], submitted[1])
	fmt.Fprintf(w, "\nWith the server running (vertaa), sign in at %s/signin. Each link sets a password once, within two hours:\n", publicURL)
	for _, c := range creds {
		fmt.Fprintf(w, "  %s: %s <%s>\n    %s\n", c.role, c.name, c.email, c.link)
	}
	fmt.Fprintln(w, "The leaders have no password; their addresses end in .example, so no e-mail reaches anyone.")
}
