// Package viz turns float32 pixel slices into the script's pictures, draws
// charts, and writes PNG files.
//
// Grid lays images out like torchvision's make_grid (8 per row, 2-pixel
// padding of black, three equal colour channels), Tiles with any number of
// columns; Figure puts pictures side by side under titles, as the script's
// matplotlib figure does. Filters draws an RBM's receptive fields, each
// contrast-normalised. Curves plots per-epoch series (the loss, test
// metrics); BarChartPNG and LineChartPNG draw the notebooks' charts, all
// with gonum/plot in one style. DotPNG renders a graph in Graphviz's dot
// language, such as Gorgonia's ToDot of a cost graph. WritePNG writes
// atomically, so a reader never sees a half-written picture.
//
// Values are intensities in [0, 1]; they are clamped and scaled to bytes by
// truncation, x·255 → uint8, as matplotlib's imsave does for float images.
// No Gorgonia type appears in this package's API.
package viz
