package webapp

import (
	"bytes"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"vertaa/internal/i18n"
	"vertaa/internal/tabular"
)

// dashboardExport answers the dashboard's figures as CSV or XLSX: the
// same tables as the page, with the same cells hidden, and no individual
// answers but the reflections their authors shared with HR.
func (a *app) dashboardExport(format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		lang := langOf(c)
		v, err := a.loadDashboard(c)
		if err != nil {
			return err
		}
		tables := a.exportTables(v, lang)
		var buf bytes.Buffer
		name := a.texts.T(lang, "analytics.file") + "-" + time.Now().In(helsinki).Format("2006-01-02")
		switch format {
		case "csv":
			err = tabular.WriteCSV(&buf, tables, ',')
			c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		default:
			err = tabular.WriteXLSX(&buf, tables)
			c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		}
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+"."+format+`"`)
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Send(buf.Bytes())
	}
}

// figureCells are a figure's cells: its mean and n, or why it is hidden
// and n.
func figureCells(f figure) []tabular.Cell {
	if f.Hidden {
		return []tabular.Cell{tabular.Text(f.Text), tabular.Int(f.N)}
	}
	return []tabular.Cell{tabular.Num(f.Mean, 2), tabular.Int(f.N)}
}

// figureRow is a row of figures under its name.
func figureRow(name string, figures []figure) []tabular.Cell {
	row := []tabular.Cell{tabular.Text(name)}
	for _, f := range figures {
		row = append(row, figureCells(f)...)
	}
	return row
}

func (a *app) exportTables(v dashboardView, lang i18n.Lang) []tabular.Table {
	T := func(key string, args ...any) string { return a.texts.T(lang, key, args...) }
	notes := []string{v.OrgName, T("report.anonymity", v.Threshold)}
	if v.Empty {
		return []tabular.Table{{Name: T("analytics.title"), Title: T("analytics.title"), Notes: notes,
			Header: []string{T("analytics.no_rounds")}}}
	}
	var tables []tabular.Table

	part := tabular.Table{Name: T("analytics.export_participation"), Title: T("report.participation"), Notes: notes,
		Header: []string{T("report.round"), T("rounds.period"), T("report.invited"), T("report.started"), T("report.submitted_n"), T("report.rate")}}
	for _, r := range v.Participation {
		part.Rows = append(part.Rows, []tabular.Cell{tabular.Text(r.Name), tabular.Text(r.Period), tabular.Int(r.Invited),
			tabular.Int(r.Started), tabular.Int(r.Submitted), tabular.Text(r.Rate)})
	}
	tables = append(tables, part)

	taking := tabular.Table{Name: T("analytics.export_taking"), Title: T("analytics.team_participation", v.RoundName), Notes: notes,
		Header: []string{T("report.team"), T("report.invited"), T("report.started"), T("report.submitted_n"), T("report.rate")}}
	for _, r := range v.TeamsTaking {
		taking.Rows = append(taking.Rows, []tabular.Cell{tabular.Text(r.Name), tabular.Int(r.Invited), tabular.Int(r.Started), tabular.Int(r.Submitted), tabular.Text(r.Rate)})
	}
	tables = append(tables, taking)

	columns := func(first string) []string {
		h := []string{first}
		for _, area := range v.Areas {
			h = append(h, area.Title, "n")
		}
		return append(h, v.Overall, "n")
	}
	teams := tabular.Table{Name: T("analytics.export_teams"), Title: T("analytics.heatmap", v.RoundName), Notes: notes, Header: columns(T("report.team"))}
	for _, r := range v.Heatmap {
		teams.Rows = append(teams.Rows, figureRow(r.Name, r.Cells))
	}
	tables = append(tables, teams)

	levels := tabular.Table{Name: T("analytics.export_levels"), Title: T("analytics.distribution") + ": " + v.RoundName, Notes: notes,
		Header: append([]string{T("result.area"), T("report.n")}, v.Levels...)}
	for _, d := range v.Distribution {
		row := []tabular.Cell{tabular.Text(d.Area), tabular.Int(d.N)}
		for i := range v.Levels {
			switch {
			case d.Counts != nil:
				row = append(row, tabular.Int(d.Counts[i]))
			case i == 0:
				row = append(row, tabular.Text(d.Why))
			default:
				row = append(row, tabular.Text(""))
			}
		}
		levels.Rows = append(levels.Rows, row)
	}
	tables = append(tables, levels)

	trend := tabular.Table{Name: T("analytics.export_trend"), Title: T("analytics.trend", v.TrendOf), Notes: notes, Header: columns(T("report.round"))}
	for _, r := range v.Trend {
		trend.Rows = append(trend.Rows, figureRow(r.Round, r.Cells))
	}
	tables = append(tables, trend)

	lead := T("analytics.network_lead", v.RoundName, v.Organisations)
	if !v.Comparable {
		lead = T("analytics.network_too_few", v.Organisations)
	}
	network := tabular.Table{Name: T("analytics.export_network"), Title: T("analytics.network"), Notes: append(slices.Clone(notes), lead),
		Header: []string{T("result.area"), v.OrgName + ": " + v.RoundName, "n", T("analytics.network_average"), "n"}}
	for _, r := range v.Comparison {
		network.Rows = append(network.Rows, append(append([]tabular.Cell{tabular.Text(r.Area)}, figureCells(r.Own)...), figureCells(r.Network)...))
	}
	tables = append(tables, network)

	shared := tabular.Table{Name: T("analytics.export_shared"), Title: T("analytics.shared") + ": " + v.RoundName,
		Header: []string{T("report.name"), T("report.submitted"), T("analytics.question"), T("analytics.answer")}}
	for _, s := range v.Shared {
		for _, r := range s.Reflections {
			shared.Rows = append(shared.Rows, []tabular.Cell{tabular.Text(s.Name), tabular.Text(s.SubmittedAt.In(helsinki).Format("2.1.2006")),
				tabular.Text(r.Question), tabular.Text(r.Answer)})
		}
	}
	return append(tables, shared)
}
