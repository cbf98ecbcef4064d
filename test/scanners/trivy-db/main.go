// Builds a Trivy vulnerability database (schema 2) from OSV advisories in GitHub's advisory-database
// layout, with trivy-db's own code: the GHSA source (pkg/vulnsrc/ghsa) parses them and pkg/vulndb
// writes trivy.db and metadata.json exactly as the published database is built (trivy-db's `build`
// command, pkg/build.go). The scanner test needs it because the real database cannot be downloaded on
// its machines; the advisories it reads are planted ones (test/scanners/advisories/).
//
//	go run . -advisories DIR -output TRIVY_CACHE_DIR/db
//
// DIR holds ghsa/advisories/github-reviewed/<year>/<month>/<id>/<id>.json, the layout
// pkg/vulnsrc/ghsa reads.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/aquasecurity/trivy-db/pkg/db"
	"github.com/aquasecurity/trivy-db/pkg/types"
	"github.com/aquasecurity/trivy-db/pkg/vulndb"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc/ghsa"
)

func main() {
	advisories := flag.String("advisories", "", "folder holding ghsa/advisories/github-reviewed/…")
	output := flag.String("output", "", "folder to write trivy.db and metadata.json into (Trivy's <cache>/db)")
	flag.Parse()
	if *advisories == "" || *output == "" {
		fmt.Fprintln(os.Stderr, "usage: trivy-db -advisories DIR -output DIR")
		os.Exit(2)
	}
	if err := build(*advisories, *output); err != nil {
		fmt.Fprintln(os.Stderr, "trivy-db:", err)
		os.Exit(1)
	}
}

func build(advisories, output string) error {
	if err := db.Init(output); err != nil {
		return err
	}
	defer db.Close()
	source := ghsa.NewVulnSrc()
	// NextUpdate a year out: a scan with --skip-db-update never looks at it, and one without would try
	// to download the real database, which is what must not happen here.
	builder := vulndb.New(advisories, output, 365*24*time.Hour,
		vulndb.WithVulnSrcs(map[types.SourceID]vulnsrc.VulnSrc{source.Name(): source}))
	return builder.Build([]string{string(source.Name())})
}
