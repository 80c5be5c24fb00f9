using System.Text.Json.Serialization;

namespace Defender.ErrorMiddleware.Client;

/// <summary>
/// The envelope as read: every member optional and loosely typed, so a malformed one is recognized, not thrown on.
/// The exact wire model (<see cref="DefenderErrorEnvelope"/>) requires every member and a GUID target; a reader of what
/// proxies and older servers send must not (a missing message or a non-GUID target still leaves the code readable).
/// </summary>
internal sealed class EnvelopeDto
{
    [JsonPropertyName("error")]
    public ErrorDto? Error { get; set; }
}

internal sealed class ErrorDto
{
    [JsonPropertyName("code")]
    public string? Code { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("target")]
    public string? Target { get; set; }
}

[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(EnvelopeDto))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
