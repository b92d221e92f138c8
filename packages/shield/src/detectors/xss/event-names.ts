/**
 * The events a browser fires at an element, window or document, whose `on…`
 * attribute runs its value as script (HTML Living Standard, "event handlers
 * on elements, Document objects, and Window objects"; UI Events; Pointer,
 * Touch, CSS Animation and Transition Events; SVG animation; the popover,
 * view-transition and content-visibility additions; old Gecko, WebKit and IE
 * names payloads still carry). A word like `online=`, `onset=` or
 * `onboarding=` is no handler: its rest is no event here.
 */
const EVENTS = (
  "abort activate afterprint afterscriptexecute afterupdate animationcancel animationend animationiteration animationstart " +
  "auxclick beforeactivate beforecopy beforecut beforedeactivate beforeeditfocus beforeinput beforematch beforepaste " +
  "beforeprint beforescriptexecute beforetoggle beforeunload beforeupdate begin blur bounce cancel canplay " +
  "canplaythrough cellchange change click close command contentvisibilityautostatechange contextlost contextmenu " +
  "contextrestored controlselect copy cuechange cut dataavailable datasetchanged datasetcomplete dblclick deactivate " +
  "devicemotion deviceorientation deviceorientationabsolute drag dragend dragenter dragexit dragleave dragover dragstart " +
  "drop durationchange emptied end ended error errorupdate filterchange finish focus focusin focusout formchange " +
  "formdata forminput fullscreenchange fullscreenerror gotpointercapture hashchange help input invalid keydown " +
  "keypress keyup languagechange layoutcomplete load loadeddata loadedmetadata loadend loadstart losecapture " +
  "lostpointercapture message messageerror mousedown mouseenter mouseleave mousemove mouseout mouseover mouseup " +
  "mousewheel move moveend movestart mozfullscreenchange offline online pagehide pagereveal pageshow pageswap paste " +
  "pause play playing pointercancel pointerdown pointerenter pointerleave pointerlockchange pointerlockerror " +
  "pointermove pointerout pointerover pointerrawupdate pointerup popstate progress propertychange ratechange " +
  "readystatechange rejectionhandled repeat reset resize rowenter rowexit rowsdelete rowsinserted scroll scrollend " +
  "scrollsnapchange scrollsnapchanging search securitypolicyviolation seeked seeking select selectionchange " +
  "selectstart show slotchange stalled start stop storage submit suspend svgload timeupdate toggle touchcancel " +
  "touchend touchmove touchstart transitioncancel transitionend transitionrun transitionstart unhandledrejection " +
  "unload volumechange waiting webkitanimationend webkitanimationiteration webkitanimationstart " +
  "webkitplaybacktargetavailabilitychanged webkittransitionend wheel zoom"
).split(" ");

const HANDLER_NAMES: ReadonlySet<string> = new Set(EVENTS.map((event) => `on${event}`));

/** Whether `name` (lower-cased) is the attribute of a known event: `onload`, `onbeforetoggle`. */
export function isKnownEventHandler(name: string): boolean {
  return HANDLER_NAMES.has(name);
}
