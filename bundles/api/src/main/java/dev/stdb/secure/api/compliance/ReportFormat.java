package dev.stdb.secure.api.compliance;

/** How a {@link Report} is rendered, with the media type and file extension to serve or save it under. */
public enum ReportFormat {
    JSON("application/json", "json"),
    HTML("text/html; charset=utf-8", "html"),
    PDF("application/pdf", "pdf");

    private final String mediaType;
    private final String extension;

    ReportFormat(String mediaType, String extension) {
        this.mediaType = mediaType;
        this.extension = extension;
    }

    /** The media type for an HTTP {@code Content-Type} header. */
    public String mediaType() {
        return mediaType;
    }

    /** The file extension, without the dot. */
    public String extension() {
        return extension;
    }
}
