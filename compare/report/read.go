package report

import (
	"encoding/json"
	"fmt"
	"os"
)

// Read loads a report.json that compare/run.sh wrote (the JSON form of
// Report), for the notebooks. A missing file gives an error wrapping
// fs.ErrNotExist, so a caller can tell "not produced yet" from "corrupt".
func Read(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("report: %w (produce it with compare/run.sh --quick)", err)
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("report: %s is not a report.json: %w (produce it again with compare/run.sh --quick)", path, err)
	}
	return &r, nil
}
