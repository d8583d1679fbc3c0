package enum_test

import (
	"fmt"

	"gorbm.dev/gorbm/internal/enum"
)

type color int

var colorNames = []string{"red", "green", "blue"}

func (c color) String() string { return enum.Name(colorNames, c, "color") }

func Example() {
	c, ok := enum.Parse[color](colorNames, "blue")
	fmt.Println(c, ok)
	_, ok = enum.Parse[color](colorNames, "mauve")
	fmt.Println(ok, color(7), color(-1))
	fmt.Println("use " + enum.Choices(colorNames))
	fmt.Println(enum.Choices(colorNames[:1]), enum.Choices(colorNames[:2]))
	// Output:
	// blue true
	// false color(7) color(-1)
	// use red, green or blue
	// red red or green
}
