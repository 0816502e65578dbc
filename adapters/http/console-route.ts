import { HttpRouter, HttpServerResponse } from "effect/http"
import { CONSOLE_HEADERS, CONSOLE_HTML } from "./console-page.ts"

/** `GET /`: the web console, one self-contained page that works through the JSON API. */
export const ConsoleRoute = HttpRouter.add(
  "GET",
  "/",
  HttpServerResponse.html(CONSOLE_HTML).pipe(HttpServerResponse.setHeaders(CONSOLE_HEADERS))
)
