namespace Defender.ErrorMiddleware;

/// <summary>
/// Thrown anywhere in a request to answer with the Defender error envelope for its code.
/// <c>UseDefenderErrors()</c> turns it into the response and logs it once.
/// </summary>
/// <example><code>throw new DefenderException(DefenderError.ResourceNotFound("Machine", id));</code></example>
public sealed class DefenderException : Exception
{
    /// <summary>Creates the exception for a documented code and message.</summary>
    /// <param name="code">The documented code; its HTTP status is fixed by the contract.</param>
    /// <param name="message">The message the client reads.</param>
    public DefenderException(DefenderErrorCode code, string message)
        : this(new DefenderError(code, message))
    {
    }

    /// <summary>Creates the exception for an error built with a <see cref="DefenderError"/> factory.</summary>
    /// <param name="error">The error to answer with.</param>
    public DefenderException(DefenderError error)
        : this(error, innerException: null)
    {
    }

    /// <summary>Creates the exception for an error caused by another exception (logged, never shown to the client).</summary>
    /// <param name="error">The error to answer with.</param>
    /// <param name="innerException">The cause, kept for the server log.</param>
    public DefenderException(DefenderError error, Exception? innerException)
        : base(error.Message ?? error.Code, innerException)
    {
        if (error.Code is null)
        {
            throw new ArgumentException("The error has no code; create it with a DefenderError constructor or factory.", nameof(error));
        }

        Error = error;
    }

    /// <summary>The error the client receives.</summary>
    public DefenderError Error { get; }
}
