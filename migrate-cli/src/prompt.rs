//! Asking the user: a choice among options, or a line of text, on a terminal, or a scripted
//! answer in tests.

use std::io::IsTerminal;

/// Picks one of several options.
pub trait Prompt {
    /// The index of the chosen option, or `None` when the user cancelled; `default` is the
    /// option selected before the user moves (what enter alone answers).
    fn choose(
        &mut self,
        question: &str,
        options: &[String],
        default: usize,
    ) -> std::io::Result<Option<usize>>;

    /// A line the user types (a protected target's name), or `None` when they cancelled.
    fn input(&mut self, question: &str) -> std::io::Result<Option<String>>;
}

/// True when both stdin and stderr are terminals, so a question can be asked and answered.
pub fn is_interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// A selection list on stderr (arrow keys and enter; escape cancels).
pub struct TerminalPrompt;

impl Prompt for TerminalPrompt {
    fn choose(
        &mut self,
        question: &str,
        options: &[String],
        default: usize,
    ) -> std::io::Result<Option<usize>> {
        dialoguer::Select::with_theme(&QuestionTheme)
            .with_prompt(question)
            .items(options)
            .default(default)
            .interact_on_opt(&dialoguer::console::Term::stderr())
            .map_err(|dialoguer::Error::IO(e)| e)
    }

    fn input(&mut self, question: &str) -> std::io::Result<Option<String>> {
        dialoguer::Input::<String>::with_theme(&QuestionTheme)
            .with_prompt(question)
            .allow_empty(true)
            .interact_text_on(&dialoguer::console::Term::stderr())
            .map(Some)
            .map_err(|dialoguer::Error::IO(e)| e)
    }
}

/// Shows a question as written (the default theme appends a colon) and the answer after it.
struct QuestionTheme;

impl dialoguer::theme::Theme for QuestionTheme {
    fn format_prompt(&self, f: &mut dyn std::fmt::Write, prompt: &str) -> std::fmt::Result {
        f.write_str(prompt)
    }

    fn format_select_prompt_selection(
        &self,
        f: &mut dyn std::fmt::Write,
        prompt: &str,
        selection: &str,
    ) -> std::fmt::Result {
        write!(f, "{prompt} {selection}")
    }
}

/// Answers from lists, in order; `None` once they run out (as if cancelled).
#[derive(Debug, Default)]
pub struct ScriptedPrompt {
    pub answers: Vec<usize>,
    /// The lines typed to [`Prompt::input`], in order.
    pub typed: Vec<String>,
    /// Every question asked, with its options.
    pub asked: Vec<(String, Vec<String>)>,
    /// The default option of every question asked, in the same order.
    pub defaults: Vec<usize>,
}

impl Prompt for ScriptedPrompt {
    fn choose(
        &mut self,
        question: &str,
        options: &[String],
        default: usize,
    ) -> std::io::Result<Option<usize>> {
        self.asked.push((question.to_string(), options.to_vec()));
        self.defaults.push(default);
        if self.answers.is_empty() {
            Ok(None)
        } else {
            Ok(Some(self.answers.remove(0)))
        }
    }

    fn input(&mut self, question: &str) -> std::io::Result<Option<String>> {
        self.asked.push((question.to_string(), Vec::new()));
        self.defaults.push(0);
        match self.typed.is_empty() {
            true => Ok(None),
            false => Ok(Some(self.typed.remove(0))),
        }
    }
}
