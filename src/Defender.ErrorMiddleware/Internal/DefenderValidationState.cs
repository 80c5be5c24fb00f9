namespace Defender.ErrorMiddleware.Internal;

/// <summary>
/// The request's validation error, already translated by input handling (AddValidation's resolver), read by the
/// ProblemDetails writer when the framework's validation problem arrives: input handling writes it, the pipeline only reads it.
/// </summary>
internal sealed class DefenderValidationState
{
    internal DefenderError? Error { get; set; }
}
