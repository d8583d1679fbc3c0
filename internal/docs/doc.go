// Package docs holds no code: its tests keep README.md and the pages under
// docs/ whole. Every relative link and image of those files must name a
// file of the repository, and a link to a heading (page.md#heading) a
// heading of that page, slugged as GitHub slugs headings.
package docs
