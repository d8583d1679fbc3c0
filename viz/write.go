package viz

import (
	"image"

	"gorbm.dev/gorbm/internal/atomicfile"
)

// WritePNG writes img to path as a PNG file, atomically: path holds either
// the old file or the whole new one.
func WritePNG(path string, img image.Image) error {
	data, err := EncodePNG(img)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data)
}
