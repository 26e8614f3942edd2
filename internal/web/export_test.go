package web

// BigVideo is bigVideo for the tests of package web_test.
var BigVideo = bigVideo
